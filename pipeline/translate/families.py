"""Model families: how to prompt each kind of seq2seq checkpoint for nl→en.

A family knows which checkpoints it covers and what they need: a source
language on the tokenizer, a target-language token in front of the source, or
a forced first target token. Unknown models fall back to plain seq2seq.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from pipeline.errors import UserError

log = logging.getLogger(__name__)

FAMILIES: dict[str, ModelFamily] = {}


def register_family(family: ModelFamily) -> ModelFamily:
    """Add a family instance to FAMILIES under its `name`."""
    FAMILIES[family.name] = family
    return family


class ModelFamily(ABC):
    """How to prompt one kind of checkpoint for nl→en (see the module docstring)."""

    name: str = "?"

    @abstractmethod
    def matches(self, model_name: str, config: Any, tokenizer: Any) -> bool:
        """True if this family knows how to prompt the checkpoint."""

    def prepare_tokenizer(self, tokenizer: Any) -> None:
        """Set source/target language attributes on the tokenizer, if any."""

    def source_prefix(self, tokenizer: Any) -> str:
        """Text put in front of every source segment (e.g. '>>eng<< ')."""
        return ""

    def generate_kwargs(self, tokenizer: Any) -> dict:
        """Extra keyword arguments for `generate` (e.g. forced_bos_token_id)."""
        return {}


def _token_id(tokenizer: Any, token: str) -> int | None:
    """The id of `token` if the tokenizer knows it as a whole token, else None."""
    try:
        tid = tokenizer.convert_tokens_to_ids(token)
    except (KeyError, ValueError, TypeError):
        return None
    if tid is None or (
        tid == getattr(tokenizer, "unk_token_id", None) and token != getattr(tokenizer, "unk_token", None)
    ):
        return None
    return int(tid)


def _require_token(tokenizer: Any, token: str, family: str) -> int:
    tid = _token_id(tokenizer, token)
    if tid is None:
        raise UserError(
            f"model family {family!r} needs the language token {token!r}, but this tokenizer has no such token"
        )
    return tid


class LanguageCodeFamily(ModelFamily):
    """Many-to-many models: a source language on the tokenizer and the target
    language forced as the first generated token (forced_bos_token_id)."""

    model_types: tuple[str, ...] = ("m2m_100",)
    src_lang: str = ""
    tgt_lang: str = ""
    src_token: str = ""
    tgt_token: str = ""

    def matches(self, model_name, config, tokenizer) -> bool:
        """A checkpoint of one of `model_types` whose tokenizer has both language tokens."""
        return (
            getattr(config, "model_type", None) in self.model_types
            and _token_id(tokenizer, self.src_token) is not None
            and _token_id(tokenizer, self.tgt_token) is not None
        )

    def prepare_tokenizer(self, tokenizer: Any) -> None:
        """Sets the tokenizer's source and target languages (a UserError without the source token)."""
        _require_token(tokenizer, self.src_token, self.name)
        tokenizer.src_lang = self.src_lang  # re-sets the source language special tokens
        tokenizer.tgt_lang = self.tgt_lang

    def generate_kwargs(self, tokenizer: Any) -> dict:
        """Forces the target-language token as the first generated token."""
        return {"forced_bos_token_id": _require_token(tokenizer, self.tgt_token, self.name)}


class Nllb(LanguageCodeFamily):
    """NLLB-200 (facebook/nllb-200-*): src_lang nld_Latn, forced BOS eng_Latn."""

    name = "nllb"
    model_types = ("m2m_100", "nllb_moe")
    src_lang = src_token = "nld_Latn"
    tgt_lang = tgt_token = "eng_Latn"


class M2M100(LanguageCodeFamily):
    """M2M100 (facebook/m2m100_*): src_lang nl, forced BOS __en__."""

    name = "m2m100"
    src_lang, src_token = "nl", "__nl__"
    tgt_lang, tgt_token = "en", "__en__"


class OpusMultiTarget(ModelFamily):
    """Multi-target OPUS-MT models (e.g. opus-mt-tc-big-gmw-gmw): the target
    language is a token such as '>>eng<<' in front of every source segment."""

    name = "opus-multi"
    preferred = (">>eng<<", ">>en<<")

    def matches(self, model_name, config, tokenizer) -> bool:
        """A Marian checkpoint with target-language tokens in its vocabulary."""
        return getattr(config, "model_type", None) == "marian" and bool(_target_tokens(tokenizer))

    def target_token(self, tokenizer: Any) -> str:
        """The English target token of the vocabulary (see `preferred`); a UserError if it has none."""
        tokens = set(_target_tokens(tokenizer))
        for token in self.preferred:
            if token in tokens:
                return token

        shown = ", ".join(sorted(tokens)[:8]) or "none"
        raise UserError(
            f"multi-target model has no English target token (looked for {', '.join(self.preferred)}; has {shown})"
        )

    def source_prefix(self, tokenizer: Any) -> str:
        """The English target token and a space."""
        return self.target_token(tokenizer) + " "


class MarianPair(ModelFamily):
    """A plain opus-mt pair such as opus-mt-nl-en: no language tokens needed."""

    name = "marian"

    def matches(self, model_name, config, tokenizer) -> bool:
        """A Marian checkpoint without target-language tokens."""
        return getattr(config, "model_type", None) == "marian" and not _target_tokens(tokenizer)


class Seq2Seq(ModelFamily):
    """Fallback: feed the text as it is."""

    name = "seq2seq"

    def matches(self, model_name, config, tokenizer) -> bool:
        """Every checkpoint (the fallback)."""
        return True


def _target_tokens(tokenizer: Any) -> list[str]:
    """Target-language tokens like '>>eng<<' in a multi-target OPUS vocabulary."""
    vocab = tokenizer.get_vocab() if hasattr(tokenizer, "get_vocab") else {}
    return sorted(t for t in vocab if t.startswith(">>") and t.endswith("<<"))


def check_family(name: str | None) -> None:
    """--family NAME names a known family (checked before any model loads)."""
    if name and name not in FAMILIES:
        raise UserError(f"unknown model family {name!r} (choose from {', '.join(FAMILIES)})")


def resolve_family(model_name: str, config: Any, tokenizer: Any, name: str | None = None) -> ModelFamily:
    """The family by explicit `name`, else the first that matches; fallback seq2seq."""
    if name:
        check_family(name)
        return FAMILIES[name]
    for family in FAMILIES.values():
        if family is not FAMILIES["seq2seq"] and family.matches(model_name, config, tokenizer):
            return family
    log.warning("model %s is of no known family; translating it as plain seq2seq", model_name)
    return FAMILIES["seq2seq"]


# Registration order is match order: specific families first, fallback last.
register_family(Nllb())
register_family(M2M100())
register_family(OpusMultiTarget())
register_family(MarianPair())
register_family(Seq2Seq())
