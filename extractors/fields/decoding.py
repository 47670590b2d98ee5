"""Greedy constrained decoding on a llama.cpp context, with two exact speed-ups.

On two CPU cores a forward pass over one new token costs ~50 ms, while a batch of tokens
costs ~7 ms per token (prompt evaluation). Field extraction spends most of its tokens on
text that is known before the model is asked:

* **forced tokens** (jump-forward): the JSON grammar forces long stretches (keys, quotes,
  commas); after each chosen token the constraint (llguidance, compiled by Outlines from
  the pydantic schema) says which tokens come next whatever the model prefers;
* **prompt lookup**: extracted values are copied from the document, so the tokens that
  followed the most recent earlier occurrence of the last n-gram (in the prompt or the
  output) are likely to follow again.

Both make a draft that is evaluated in one batch with the chosen token (speculative
decoding, with no second model). A drafted token is kept only while greedy decoding picks
it from its logits (a forced stretch is verified too: the model may split it into tokens
differently), so the answer is the one of one-token-per-pass greedy decoding under the same
constraint, up to rounding: llama.cpp evaluates a batch with other kernels than a single
token, and where two tokens are within rounding of each other the pick can differ (seen
on the 135M test model, in the digits of an amount). The KV cache keeps the previous
prompt: a prompt that starts with the same tokens (the instruction prefix of a schema)
only evaluates what follows.

Takes: a ``llama_cpp.Llama`` and Outlines' llguidance logits processor (its grammar and
tokenizer). Returns: the generated token ids and counts/timings (``Decoded``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from docpipe.errors import ConfigurationError

LOOKUP_NGRAM = 3
"""Longest n-gram (in tokens) whose earlier occurrence proposes a draft; shorter ones are tried next."""


@dataclass(frozen=True)
class Decoded:
    tokens: list[int]
    """Generated tokens, end-of-sequence excluded."""
    prompt_tokens: int
    reused_prompt_tokens: int
    forward_passes: int
    """Generation batches evaluated (each: the chosen token and a draft)."""
    drafted: int
    accepted: int
    """Drafted tokens greedy decoding agreed with (each saved a forward pass)."""
    prompt_seconds: float
    generate_seconds: float
    finished: bool
    """The constraint reached its end (False: the token cap came first)."""


def lookup_draft(history: np.ndarray, max_tokens: int, ngram: int = LOOKUP_NGRAM) -> list[int]:
    """Tokens that followed the most recent earlier occurrence of the history's last n-gram.

    Tries n-grams of ``ngram`` tokens down to 1; an empty list when none occurred before.
    """
    size = len(history)
    for n in range(min(ngram, size - 1), 0, -1):
        tail = history[size - n :]
        # Candidate starts: positions where the first tail token occurs, excluding the tail itself.
        starts = np.flatnonzero(history[: size - n] == tail[0])
        for start in starts[::-1]:
            if start + n <= size - 1 and np.array_equal(history[start : start + n], tail):
                follow = history[start + n : start + n + max_tokens]
                if len(follow):
                    return follow.tolist()
    return []


class LlamaCppDecoder:
    """Decodes on one ``llama_cpp.Llama`` context; its KV cache persists between calls."""

    def __init__(self, llama: Any, llg_tokenizer: Any, lookup_tokens: int) -> None:
        """``lookup_tokens``: most prompt-lookup tokens drafted per pass (0: forced tokens only)."""
        import llama_cpp
        import llguidance.numpy

        self._llama_cpp = llama_cpp
        self.llama = llama
        self.llg_tokenizer = llg_tokenizer
        self.lookup_tokens = lookup_tokens
        self.n_vocab = llama.n_vocab()
        self._bitmask = llguidance.numpy.allocate_token_bitmask(1, llg_tokenizer.vocab_size)
        self._eos = {llama.token_eos()}
        self._batch = llama_cpp.llama_batch_init(llama.n_batch, 0, 1)

    def __del__(self) -> None:
        batch = getattr(self, "_batch", None)
        if batch is not None:
            self._llama_cpp.llama_batch_free(batch)

    # --- KV cache and forward passes --------------------------------------------------

    def _keep_prefix(self, prompt: list[int]) -> int:
        """Drop cached tokens after the longest common prefix with ``prompt``; its length.

        At least the prompt's last token is evaluated again: its logits choose the first token.
        """
        llama = self.llama
        cached = llama.input_ids[: llama.n_tokens]
        limit = min(len(cached), len(prompt) - 1)
        same = 0
        while same < limit and cached[same] == prompt[same]:
            same += 1
        llama._ctx.kv_cache_seq_rm(-1, same, -1)
        llama.n_tokens = same
        return same

    def _forward(self, tokens: list[int], logits_from: int) -> None:
        """Evaluate ``tokens`` after the cached ones; logits for positions >= ``logits_from``."""
        llama, batch = self.llama, self._batch
        for begin in range(0, len(tokens), llama.n_batch):
            chunk = tokens[begin : begin + llama.n_batch]
            n_past = llama.n_tokens
            batch.n_tokens = len(chunk)
            for i, token in enumerate(chunk):
                batch.token[i] = token
                batch.pos[i] = n_past + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = begin + i >= logits_from
            if self._llama_cpp.llama_decode(llama._ctx.ctx, batch) != 0:
                raise RuntimeError("llama.cpp could not evaluate the batch (context full?)")
            llama.input_ids[n_past : n_past + len(chunk)] = chunk
            llama.n_tokens = n_past + len(chunk)

    def _truncate(self, n_tokens: int) -> None:
        self.llama._ctx.kv_cache_seq_rm(-1, n_tokens, -1)
        self.llama.n_tokens = n_tokens

    def _choose(self, matcher: Any, batch_index: int) -> int:
        """Greedy choice among the tokens the constraint allows, from the logits computed
        for one token of the last batch (-1: its last token)."""
        import llguidance.numpy

        pointer = self._llama_cpp.llama_get_logits_ith(self.llama._ctx.ctx, batch_index)
        logits = np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))
        llguidance.numpy.fill_next_token_bitmask(matcher, self._bitmask, 0)
        allowed = np.unpackbits(self._bitmask[0].view(np.uint8), bitorder="little")[: self.n_vocab].astype(bool)
        if len(allowed) < self.n_vocab:
            allowed = np.concatenate([allowed, np.zeros(self.n_vocab - len(allowed), dtype=bool)])
        return int(np.argmax(np.where(allowed, logits, -np.inf)))

    # --- decoding ---------------------------------------------------------------------

    def decode(self, prompt: list[int], grammar: str, max_tokens: int) -> Decoded:
        from llguidance import LLMatcher

        if len(prompt) >= self.llama.n_ctx():
            raise ConfigurationError(
                f"the prompt ({len(prompt)} tokens) does not fit the model's {self.llama.n_ctx()}-token context: "
                "lower DOCPIPE_EXTRACT_MAX_INPUT_CHARS or raise DOCPIPE_EXTRACT_CONTEXT_TOKENS"
            )
        matcher = LLMatcher(self.llg_tokenizer, grammar)
        started = time.perf_counter()
        reused = self._keep_prefix(prompt)
        fresh = prompt[reused:]
        self._forward(fresh, logits_from=len(fresh) - 1)
        token = self._choose(matcher, -1)
        prompt_done = time.perf_counter()

        generated: list[int] = []
        passes = drafted = accepted = 0
        finished = False

        def take(chosen: int) -> bool:
            """Consume ``chosen``; True when decoding is over (end of grammar or token cap)."""
            nonlocal finished
            if not matcher.consume_token(chosen):
                raise RuntimeError(f"constraint rejected token {chosen}: {matcher.get_error()}")
            if chosen not in self._eos:
                generated.append(chosen)
            finished = matcher.is_stopped() or chosen in self._eos
            return finished or len(generated) >= max_tokens

        while not take(token):
            space = self.llama.n_ctx() - self.llama.n_tokens - 1  # draft tokens that fit after ``token``
            if space < 0:
                break  # context full: the caller sees finished=False, as with the token cap
            room = min(space, self.llama.n_batch - 1)
            # Draft: the tokens the grammar forces next, then what followed the same n-gram
            # earlier; cut where the grammar would refuse it. The model verifies every one.
            # The cache holds the prompt and every kept token but ``token``, not yet evaluated.
            forced = matcher.compute_ff_tokens()[:room]
            lookup = (
                lookup_draft(
                    np.append(self.llama.input_ids[: self.llama.n_tokens], [token, *forced]), self.lookup_tokens
                )
                if self.lookup_tokens and len(forced) < room
                else []
            )
            draft = [*forced, *lookup][: min(room, max_tokens - len(generated))]
            draft = draft[: matcher.validate_tokens(draft)] if draft else []
            base = self.llama.n_tokens
            self._forward([token, *draft], logits_from=0)
            passes += 1
            drafted += len(draft)
            # Logits are read by batch index: 0 after ``token``, j + 1 after draft[j].
            token = self._choose(matcher, 0)
            kept = 0
            for j, proposed in enumerate(draft):
                if token != proposed:
                    break
                kept += 1
                if take(proposed):
                    break
                token = self._choose(matcher, j + 1)
            accepted += kept
            self._truncate(base + 1 + kept)
            if finished or len(generated) >= max_tokens:
                break
        return Decoded(
            tokens=generated,
            prompt_tokens=len(prompt),
            reused_prompt_tokens=reused,
            forward_passes=passes,
            drafted=drafted,
            accepted=accepted,
            prompt_seconds=prompt_done - started,
            generate_seconds=time.perf_counter() - prompt_done,
            finished=finished,
        )
