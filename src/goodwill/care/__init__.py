"""Care: turning judged posts into work for people, and judging that work.

``queue`` and ``priority`` rank the posts that welcome a reply. The desk's
decisions are pure modules here (see docs/care.md): ``replycheck`` (sales talk,
canned text, unwelcome threads), ``suggest`` with ``knowledge``, ``encoder`` and
``minilm`` (suggested answers with citations), ``routing`` (queues, assignment,
reassignment, escalation), ``sla`` with ``calendar`` and ``duration`` (business
time), ``metrics`` and ``ambassadors``; ``config`` is the ``[care]`` table of
goodwill.toml. Nothing here imports the heavy embedding runtime until asked.
"""
