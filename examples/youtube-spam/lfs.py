"""Labeling functions for YouTube comment spam, in the style of Snorkel's spam tutorial."""
import re

from snorkel.labeling import labeling_function

ABSTAIN, HAM, SPAM = -1, 0, 1


@labeling_function()
def keyword_my(x):
    return SPAM if "my" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_subscribe(x):
    return SPAM if "subscribe" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_link(x):
    return SPAM if "http" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_please(x):
    return SPAM if any(word in x.text.lower() for word in ["please", "plz"]) else ABSTAIN


@labeling_function()
def keyword_song(x):
    return HAM if "song" in x.text.lower() else ABSTAIN


@labeling_function()
def regex_check_out(x):
    return SPAM if re.search(r"check.*out", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def short_comment(x):
    """Ham comments are often short, such as 'cool video!'"""
    return HAM if len(x.text.split()) < 5 else ABSTAIN
