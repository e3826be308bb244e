"""Care: turning judged posts into work for people (the queue, later routing and SLAs)."""
