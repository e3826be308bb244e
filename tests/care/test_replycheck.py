"""The reply check: sales talk, canned text and unwelcome replies are caught; care is not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodwill.care.replycheck import ReplyPolicy, check_reply
from goodwill.errors import CareError

POLICY = ReplyPolicy(brand_domains=["https://www.acmebank.example/"])

COMPLAINT_POST = "@acmebank I've been charged twice for my rent payment this month, can someone fix this??"
COMPLAINT: dict[str, Any] = {
    "intent": {"label": "complaint", "scores": {"complaint": 0.8, "recommendation_request": 0.0}},
    "complaint": {"is_complaint": True, "score": 0.86},
    "receptivity": {"welcome": True, "score": 0.9, "reasons": ["addressed to @acme"], "counter_reasons": []},
    "spam": {"is_spam": False, "reasons": []},
}
RECOMMENDATION_POST = "Which bank has the best current account for freelancers? Looking to switch"
RECOMMENDATION: dict[str, Any] = {
    "intent": {"label": "recommendation_request", "scores": {"recommendation_request": 0.9}},
    "receptivity": {"welcome": True, "score": 0.6, "reasons": ["asks for recommendations"]},
}


def check(reply: str, enrichment: dict[str, Any] | None = None, post: str = COMPLAINT_POST) -> Any:
    return check_reply(
        reply,
        enrichment=COMPLAINT if enrichment is None else enrichment,
        post_text=post,
        author=["@dana_k", "Dana"],
        policy=POLICY,
    )


def spans(result: Any) -> dict[str, str]:
    return {f.code: f.excerpt for f in result.flags}


# --- hard negatives: real care replies pass clean ----------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "Hi Dana, sorry about the double charge on your rent payment. We've refunded the second one; it "
        "shows on your account within 2 working days.",
        "That's not right, Dana. I've asked the payments team to reverse the duplicate charge and we've "
        "credited a 10% discount to your bill for the trouble.",
        "Hi Dana, here's the link to the outage status page: https://status.acmebank.example/incidents/412 "
        "- the duplicate payments came from last night's incident and are being reversed.",
        "Dana, check out our help article on disputed payments: https://acmebank.example/help/charged-twice",
        "Sorry Dana! Can you DM us the last 4 digits of the card so we can trace the double charge?",
        "We're on it Dana: error code 503 on the rent payment page was our fault and the refund is underway.",
        "Dana, that duplicate charge should not happen. Deal with it? We will: the reversal went out today.",
        "Dana, the rent payment glitch came from our update; check out our release notes for the fix.",
        "Dana, our latest app version stops the double charge on rent payments.",
        "Dana, we've refunded the fee and added 1% cashback on your account this month as an apology.",
        "Dana, you can switch to paperless statements for the rent account in the app.",
        "Dana, the replacement card is free and arrives in 3 days; the double charge is reversed.",
        "Dana, to confirm the rent payment reversal, enter the code 482913 we texted you.",
        "Dana, enter the code from the text message to unlock payments again.",
        "Dana, please quote the reference code REF20931 on the rent payment letter if you call.",
        "No hurry, Dana: the duplicate rent charge stays reversed while we look into it.",
        "Dana, you can book now in the app for a branch appointment about the rent payment.",
        "Don't miss this, Dana: the reversed rent payment shows as a credit, not a new payment.",
    ],
)
def test_care_replies_are_not_flagged(reply: str) -> None:
    result = check(reply)
    assert result.flags == (), [f.code for f in result.flags]
    assert result.ok and not result.needs_override
    assert result.override(None) is None


# --- sales talk in a thread that did not invite it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "code", "excerpt"),
    [
        ("So sorry Dana! Use code SORRY20 at checkout next time for the double charge.", "sales.code",
         "Use code SORRY20"),
        ("Sorry to hear that about the rent payment, Dana. Get 20% off our premium account this month!",
         "sales.offer", "20% off"),
        ("Hi Dana, the double charge is fixed. DM us to order the new Acme Gold card!", "sales.dm_to_buy",
         "DM us to order"),
        ("Dana, fixed the charge. While you're here, check out our new Gold credit card.", "sales.check_out",
         "check out our new Gold credit card"),
        ("Charge reversed, Dana. Upgrade today and never pay a fee again.", "sales.call_to_action",
         "Upgrade today"),
        ("Rent payment fixed, Dana. Our cards: https://shop.acmebank.example/cards", "sales.product_link",
         "https://shop.acmebank.example/cards"),
        ("Rent payment fixed, Dana. See acmebank.example/products/gold-card.", "sales.product_link",
         "acmebank.example/products/gold-card"),
        ("The charge is reversed, Dana. Enjoy a free trial of Acme Plus on us!", "sales.offer", "free trial"),
        ("Charge reversed, Dana. Our new Acme Plus account has no fees.", "sales.check_out",
         "Our new Acme Plus account has"),
        ("Charge reversed, Dana. Introducing Acme Plus: premium banking.", "sales.check_out",
         "Introducing Acme Plus"),
        ("Charge reversed, Dana! Get the new Acme Visa and earn 2% cashback.", "sales.offer",
         "earn 2% cashback"),
        ("Charge reversed, Dana! Get the new Acme Visa.", "sales.call_to_action", "Get the new"),
        ("Charge reversed, Dana. Hurry, the Gold card offer ends Friday!", "sales.call_to_action", "Hurry,"),
        ("Charge reversed, Dana. Don't miss out on Acme Gold.", "sales.call_to_action", "Don't miss out"),
    ],
)  # fmt: skip
def test_sales_talk_is_flagged_with_its_span(reply: str, code: str, excerpt: str) -> None:
    result = check(reply)
    flags = [f for f in result.flags if f.code == code]
    assert flags, [f.code for f in result.flags]
    flag = flags[0]
    assert flag.excerpt == excerpt
    assert flag.span is not None and reply[flag.span[0] : flag.span[1]] == excerpt
    assert flag.blocking and result.needs_override
    assert flag.message


def test_a_competitor_shop_link_is_not_our_sales_page() -> None:
    result = check("Dana, the charge is fixed. Globex has a comparison at https://globex.example/shop too.")
    assert "sales.product_link" not in result.codes


def test_offer_words_in_a_pitch_sentence_are_flagged_even_with_sorry_elsewhere() -> None:
    reply = "Sorry for the double rent charge, Dana. Our new savings account has a special offer this week."
    assert spans(check(reply)) == {
        "sales.offer": "special offer",
        "sales.check_out": "Our new savings account has a",
    }


# --- an invited thread may hear about products -------------------------------------------------------------


def test_product_mention_answers_a_recommendation_request() -> None:
    reply = (
        "Hi! For freelancers, have a look at our Acme Business current account: no monthly fee and "
        "invoicing built in. Details: https://acmebank.example/products/business"
    )
    result = check(reply, RECOMMENDATION, RECOMMENDATION_POST)
    assert result.invited
    assert result.flags == ()


def test_check_out_our_is_fine_when_invited_but_not_otherwise() -> None:
    reply = "Check out our Business current account, built for freelancers who switch banks."
    assert check(reply, RECOMMENDATION, RECOMMENDATION_POST).flags == ()
    assert "sales.check_out" in check(reply).codes


def test_a_pitch_in_an_invited_thread_is_a_warning_not_a_block() -> None:
    reply = "Our Business current account suits freelancers; promo code FREELANCE gives 3 months free."
    result = check(reply, RECOMMENDATION, RECOMMENDATION_POST)
    assert result.codes == ("sales.code",)
    assert not result.needs_override


def test_invited_can_be_stated_by_the_caller() -> None:
    reply = "Check out our Business current account for freelancers."
    assert check_reply(reply, enrichment=COMPLAINT, invited=True).flags == ()


# --- canned text -------------------------------------------------------------------------------------------


def test_template_phrase_is_a_warning_with_its_span() -> None:
    reply = "Hi Dana, we apologize for any inconvenience. The duplicate rent charge is reversed."
    result = check(reply)
    assert spans(result) == {"canned.template": "we apologize for any inconvenience"}
    assert not result.needs_override


def test_a_form_letter_that_ignores_the_post_needs_an_override() -> None:
    reply = "Thank you for reaching out. We value your feedback and will get back to you."
    result = check(reply)
    assert result.codes == ("canned.impersonal", "canned.template", "canned.template")
    impersonal = result.flags[0]
    assert impersonal.span is None and impersonal.blocking
    assert result.needs_override


def test_policy_can_make_canned_text_block() -> None:
    reply = "Rest assured Dana, the double charge is reversed."
    strict = ReplyPolicy(canned_blocks=True)
    result = check_reply(
        reply, enrichment=COMPLAINT, post_text=COMPLAINT_POST, author=["Dana"], policy=strict
    )
    assert result.codes == ("canned.template",)
    assert result.needs_override


def test_personalisation_by_name_only_is_enough() -> None:
    result = check("Dana, thanks, we will call you back within the hour.")
    assert "canned.impersonal" not in result.codes


# --- the thread --------------------------------------------------------------------------------------------


def test_reply_to_an_unwelcome_post_names_the_reasons() -> None:
    unwelcome = {
        "receptivity": {
            "welcome": False,
            "score": 0.1,
            "reasons": [],
            "counter_reasons": ["personal context: 'my wedding'"],
        }
    }
    result = check("Congratulations on the wedding, Dana! Rent payments are on us.", unwelcome)
    flag = result.flags[0]
    assert flag.code == "welcome.not_welcome"
    assert "personal context: 'my wedding'" in flag.message
    assert flag.span is None and result.needs_override


def test_reply_to_spam_is_flagged() -> None:
    result = check("Dana, the charge is reversed.", {"spam": {"is_spam": True, "reasons": ["link farm"]}})
    assert result.codes == ("welcome.spam",)
    assert result.needs_override


# --- overriding --------------------------------------------------------------------------------------------


def test_override_needs_a_real_reason_and_records_the_codes() -> None:
    result = check("Sorry Dana. Use code SORRY20 for 20% off your next transfer fee.")
    assert result.needs_override
    for reason in (None, "", "   ", "ok", "fine"):
        with pytest.raises(CareError, match="state in a few words"):
            result.override(reason)
    override = result.override("  customer asked for the apology voucher on the phone  ")
    assert override is not None
    assert override.reason == "customer asked for the apology voucher on the phone"
    assert set(override.codes) == {"sales.code", "sales.offer"}


@given(st.text(max_size=300))
def test_any_text_gives_spans_inside_the_reply(reply: str) -> None:
    result = check_reply(reply, enrichment=COMPLAINT, post_text=COMPLAINT_POST, policy=POLICY)
    for flag in result.flags:
        if flag.span is not None:
            start, end = flag.span
            assert 0 <= start < end <= len(reply)
            assert reply[start:end] == flag.excerpt
