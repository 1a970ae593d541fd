"""Demo data, made the way a person would in the Robofy dashboard (no kbsync markers)."""

from __future__ import annotations

from kbsync.emulator.agents import (
    AGENT_DEFAULTS,
    DEFAULT_SETTINGS,
    insert_agent,
    write_json_column,
)
from kbsync.emulator.assets import NewAsset, Processing, link_asset
from kbsync.emulator.content import readable_text
from kbsync.emulator.context import Ctx
from kbsync.emulator.crawl import advance_crawls, insert_run
from kbsync.emulator.crawl_rules import CrawlRules
from kbsync.emulator.inbox_seed import seed_conversations

DEMO_SITE = "https://help.demo-shop.example/"
DEMO_PAGES = 8
PROMPT = (
    "You are the friendly support assistant of Demo Shop. Answer questions about orders, "
    "shipping, returns and accounts from the knowledge base. If you are unsure, offer to "
    "connect the customer with a human."
)
TEXTS = (
    (
        "Opening hours",
        "Our support team is available Monday to Friday, 9:00 to 18:00 CET. "
        "On public holidays the chat is answered by this bot only.",
    ),
    (
        "Shipping policy",
        "Orders placed before 14:00 ship the same day. Standard shipping "
        "takes 2 to 4 business days. Express shipping delivers the next business day.",
    ),
    (
        "Returns",
        "You can return any item within 30 days of delivery. Refunds are issued to "
        "the original payment method within 5 business days after we receive the item.",
    ),
)
FILES = (
    (
        "faq.md",
        "# Frequently asked questions\n\nHow do I reset my password? Use the "
        "Forgot password link on the sign-in page.\n\nCan I change my order? Orders can be "
        "changed within one hour of purchase.\n",
    ),
    (
        "warranty.txt",
        "Every Demo Shop product carries a two year warranty. The warranty "
        "covers manufacturing defects but not accidental damage.\n",
    ),
)
HOUR = 3600
# (hours ago, platform, questions): three weeks of visitors; PayPal, a student discount, gift
# cards and a Berlin store are not in the knowledge, so the agent answers those not found
CONVERSATIONS = (
    (500, "web", ("How long does shipping take?",)),
    (430, "whatsapp", ("Do you deliver to Norway?",)),
    (380, "web", ("Where is your store in Berlin?", "What is the warranty?")),
    (300, "web", ("Can I return an item?",)),
    (240, "web", ("Is there a store in Berlin?",)),
    (200, "messenger", ("How do I reset my password?",)),
    (150, "web", ("Do you sell gift cards?",)),
    (120, "web", ("Can I pay with PayPal?",)),
    (96, "whatsapp", ("Can I buy a gift card?", "When is support open?")),
    (72, "web", ("Do you sell gift vouchers?",)),
    (70, "web", ("Is there a student discount?",)),
    (50, "web", ("Do you accept PayPal?",)),
    (40, "messenger", ("Do you offer a student discount?",)),
    (30, "web", ("How long does shipping take?", "Is PayPal accepted?")),
    (24, "web", ("Any discounts for students?",)),
    (12, "whatsapp", ("Can I pay with PayPal? Write to jane.doe@gmail.com",)),
    (8, "web", ("Is there a student discount?",)),
    (5, "web", ("Can I return an item?",)),
    (2, "web", ("Can I pay with Paypal?", "How do I reset my password?")),
)


def seed(ctx: Ctx) -> str:
    """Create "Demo Support Bot" with settings, persona, texts, files and a finished crawl."""
    fields = {
        **AGENT_DEFAULTS,
        "name": "Demo Support Bot",
        "language": "en",
        "description": "Answers customer questions for Demo Shop",
    }
    cid = insert_agent(ctx, fields)
    settings = {
        **DEFAULT_SETTINGS,
        "system_prompt_text": PROMPT,
        "tone": "friendly",
        "temperature": "0.3",
        "not_found_answer": "Sorry, I don't know that yet.",
    }
    write_json_column(ctx, "settings", cid, settings)
    persona = {"name": "Ava", "role": "Customer support", "greeting": "Hi! How can I help?"}
    write_json_column(ctx, "personas", cid, persona)
    ready = Processing(ctx.now, "Active")
    for name, text in TEXTS:
        asset = NewAsset(ctx.project_id, "text", name, text.encode(), text)
        link_asset(ctx.db, asset, cid, 1, ctx.now, ready)
    for name, text in FILES:
        data = text.encode()
        asset = NewAsset(ctx.project_id, "file", name, data, readable_text(name, data))
        link_asset(ctx.db, asset, cid, 1, ctx.now, ready)
    _finished_crawl(ctx, cid)
    _conversations(ctx, cid)
    return cid


def _conversations(ctx: Ctx, chatbot_id: str) -> None:
    conversations = [
        {
            "seconds_ago": hours * HOUR,
            "platform": platform,
            "exchanges": [{"question": q} for q in asked],
        }
        for hours, platform, asked in CONVERSATIONS
    ]
    seed_conversations(ctx, chatbot_id, conversations)


def _finished_crawl(ctx: Ctx, chatbot_id: str) -> None:
    pace = ctx.config.crawl_pages_per_second
    started = ctx.now - (DEMO_PAGES / pace if pace > 0 else 0.0)
    rules = CrawlRules((DEMO_SITE,), DEMO_PAGES, None, (), ())
    insert_run(ctx, chatbot_id, rules, "simulate", started)
    advance_crawls(ctx.db, ctx.now)
