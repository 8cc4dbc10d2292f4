"""Names shared by the actions, the Rasa domain and the app (slots, intents, responses)."""

from __future__ import annotations

# --- slots (bot/domain/session.yml) -------------------------------------------------
SLOT_PROCEDURE_CODE = "procedure_code"
SLOT_CASE_INDEX = "case_index"
SLOT_PENDING_ASPECT = "pending_aspect"
SLOT_PROCEDURE_OPTIONS = "procedure_options"
SLOT_AWAITING = "awaiting"
SLOT_MISS_COUNT = "miss_count"
SLOT_HUMAN_OFFERED = "human_offered"
SLOT_RATED = "rated"
SLOT_HANDED_OFF = "handed_off"
SLOT_RATING_ASKED = "rating_asked"
SLOT_INTRO_SHOWN = "intro_shown"

# --- entities carried by button payloads ---------------------------------------------
ENTITY_PROCEDURE_CODE = "procedure_code"
ENTITY_FAQ_ID = "faq_id"
ENTITY_CASE_INDEX = "case_index"
ENTITY_ASPECT = "aspect"
ENTITY_RATING = "rating"

# --- aspects of a procedure a citizen can ask about ------------------------------------
ASPECT_GENERAL = "general"
ASPECT_DOCUMENTS = "documents"
ASPECT_FEE = "fee"
ASPECT_TIME = "time"
ASPECT_WHERE = "where"
ASPECT_STEPS = "steps"
ASPECT_ONLINE = "online"
ASPECTS = (ASPECT_GENERAL, ASPECT_DOCUMENTS, ASPECT_FEE, ASPECT_TIME, ASPECT_WHERE,
           ASPECT_STEPS, ASPECT_ONLINE)

INTENT_TO_ASPECT = {
    "ask_procedure": ASPECT_GENERAL,
    "ask_documents": ASPECT_DOCUMENTS,
    "ask_fee": ASPECT_FEE,
    "ask_processing_time": ASPECT_TIME,
    "ask_where": ASPECT_WHERE,
    "ask_steps": ASPECT_STEPS,
    "ask_online": ASPECT_ONLINE,
}
# Aspects a question may ask about the office itself (hours, portal), with no procedure.
OFFICE_ASPECTS = frozenset({ASPECT_GENERAL, ASPECT_WHERE, ASPECT_ONLINE})
# Below this intent confidence, an aspect intent no aspect word supports becomes "general"
# (so does "where" for a message naming a topic, at any confidence: Dialogue._aspect).
UNSURE_ASPECT_CONFIDENCE = 0.6
ASPECT_TO_INTENT = {aspect: intent for intent, aspect in INTENT_TO_ASPECT.items()}
# A message asking several aspects gets these extra ones too (short answers, clear words).
ASPECTS_WITH_EXTRAS = frozenset({ASPECT_DOCUMENTS, ASPECT_FEE, ASPECT_TIME, ASPECT_WHERE,
                                 ASPECT_STEPS})
EXTRA_ASPECTS = frozenset({ASPECT_FEE, ASPECT_TIME, ASPECT_WHERE, ASPECT_ONLINE})
# A follow-up naming an aspect may carry this many unknown words ("lệ phí bao nhiu").
MAX_STRAY_WORDS = 1

INTENT_CHOOSE_PROCEDURE = "choose_procedure"
INTENT_CHOOSE_CASE = "choose_case"
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_NLU_FALLBACK = "nlu_fallback"
INTENT_REQUEST_HUMAN = "request_human"
INTENT_RATE = "rate"
INTENT_AFFIRM = "affirm"
INTENT_DENY = "deny"

# Chitchat intents and the response each one gets.
CHITCHAT_RESPONSES = {
    "greet": "utter_greet",
    "bot_challenge": "utter_iamabot",
    "affirm": "utter_anything_else",
    "deny": "utter_anything_else",
    "thank": "utter_you_are_welcome",
    "goodbye": "utter_goodbye",
}

# Chitchat intents a short question is sometimes taken for ("cần cccd ko" → deny).
# The classifier takes some short procedure names typed without marks for small talk
# ("ket hon", "chung thuc" for goodbye): these are answered when the knowledge base
# clearly recognises what they name, and only when the message says most of one of the
# procedure's names (``knowledge_base.resolver.NAMED_SHARE``, the resolver's rule for
# messages of fillers).
QUESTION_LIKE_CHITCHAT = frozenset({"affirm", "deny", "greet", "thank", "goodbye"})
# ... and "are you a bot?" holding none of its words ("sdt phường là gì": the office's
# phone number, not the bot's identity; "em là bot à" stays small talk).
QUESTION_LIKE_WITHOUT_ITS_WORDS = frozenset({"bot_challenge"})
# A yes or a no holding no yes or no word ("kết hôn lưu động" read as a yes) is a guess:
# the buttons of the procedures it names are the reply too. One made of nothing but yes
# or no words and fillers ("vang a") is never a topic.
YES_NO_INTENTS = frozenset({"affirm", "deny"})
RESPONSE_ASK_APPLICATION_CODE = "utter_status_ask_code"
RESPONSE_APPOINTMENT_OFFER = "utter_appointment_offer"
INTENT_BOOK_APPOINTMENT = "book_appointment"
STORY_WORDS = 15  # booking requests are short; a message this long is a story or a question
# A procedure this likely (the resolver's calibrated probability) makes a message read
# as "where is my application?" a question about that procedure after all.
LIKELY_PROCEDURE = 0.5
# Below this confidence a request for staff holding none of the words such requests hold
# is the classifier's guess, not the citizen's request: it is answered as a question.
UNSURE_INTENT = 0.5
# Chitchat that, right after a handoff, asks whether someone is there ("alo", "có ai không").
WAITING_CHITCHAT = frozenset({"greet"})
# Thanks often trail a word or two ("ok cảm ơn ad nhiu"): a question needs more than one.
THANKS_LIKE_CHITCHAT = frozenset({"thank"})
MIN_THANKS_QUESTION_WORDS = 2

# --- what the bot is waiting for -------------------------------------------------------
AWAITING_PROCEDURE = "procedure"
AWAITING_CASE = "case"

# --- decisions recorded for every turn (conversation contract) -------------------------
DECISION_ANSWER = "answer"
DECISION_CLARIFY = "clarify"
DECISION_NOT_FOUND = "not_found"
DECISION_FAQ = "faq"
DECISION_HANDOFF = "handoff"
DECISION_CHITCHAT = "chitchat"
# Turns where the bot itself answered: a pending handoff no longer colours greetings.
ANSWERED_DECISIONS = frozenset({DECISION_ANSWER, DECISION_CLARIFY, DECISION_FAQ})

HANDOFF_CITIZEN_REQUEST = "citizen_request"
HANDOFF_REPEATED_MISSES = "repeated_misses"

MAX_MISSES = 2
MAX_CLARIFY_BUTTONS = 3
MAX_BUTTON_TITLE = 80
MAX_MESSAGE_CHARS = 900
MAX_FIRST_REPLY_CHARS = 1200  # one phone screen: the first reply about a procedure
