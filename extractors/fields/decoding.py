"""Greedy constrained decoding on a llama.cpp context, with two exact speed-ups.

On two CPU cores a forward pass over one new token costs ~50 ms, while a batch of tokens
costs ~7 ms per token (prompt evaluation). Field extraction spends most of its tokens on
text that is known before the model is asked:

* **jump-forward**: the JSON grammar forces long stretches (keys, quotes, commas); after
  each chosen token the constraint (llguidance, compiled by Outlines from the pydantic
  schema) says which tokens are forced, and they are evaluated in one batch with the next
  step instead of one pass each;
* **prompt lookup** (speculative decoding with the prompt as the draft): extracted values
  are copied from the document, so the continuation of the longest recent n-gram found
  earlier in the prompt or the output is proposed as a draft; the drafted tokens are
  evaluated in the same batch and kept as long as they equal what greedy decoding picks.

Both keep the answer identical to one-token-at-a-time greedy decoding under the same
constraint (drafts are only accepted where greedy agrees; forced tokens are the only ones
the constraint allows). The KV cache keeps the previous prompt: a prompt that starts with
the same tokens (the instruction prefix of a schema) only evaluates what follows.

Takes: a ``llama_cpp.Llama`` and Outlines' llguidance logits processor (its grammar and
tokenizer). Returns: the generated token ids and counts/timings (``Decoded``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

DRAFT_TOKENS = 6
"""Most drafted tokens verified per forward pass (more costs time when they are rejected)."""
LOOKUP_NGRAM = 3
"""Longest n-gram (in tokens) whose earlier occurrence proposes a draft; shorter ones are tried next."""


@dataclass(frozen=True)
class Decoded:
    tokens: list[int]
    """Generated tokens, end-of-sequence excluded."""
    prompt_tokens: int
    reused_prompt_tokens: int
    forward_passes: int
    """Generation batches evaluated (each one chosen token + forced and drafted tokens)."""
    drafted_accepted: int
    forced: int
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

    def __init__(self, llama: Any, llg_tokenizer: Any) -> None:
        import llama_cpp
        import llguidance.numpy

        self._llama_cpp = llama_cpp
        self.llama = llama
        self.llg_tokenizer = llg_tokenizer
        self.n_vocab = llama.n_vocab()
        self._bitmask = llguidance.numpy.allocate_token_bitmask(1, llg_tokenizer.vocab_size)
        self._eos = {llama.token_eos()}
        self._batch = llama_cpp.llama_batch_init(max(llama.n_batch, DRAFT_TOKENS + 64), 0, 1)

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

        matcher = LLMatcher(self.llg_tokenizer, grammar)
        started = time.perf_counter()
        reused = self._keep_prefix(prompt)
        fresh = prompt[reused:]
        self._forward(fresh, logits_from=len(fresh) - 1)
        token = self._choose(matcher, -1)
        prompt_done = time.perf_counter()

        history = np.array(prompt, dtype=np.int64)
        generated: list[int] = []
        passes = accepted_drafts = forced_total = 0
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

        # A generation step is one batch: the chosen token, the forced ones, the draft.
        step_room = self.llama.n_batch - DRAFT_TOKENS - 1
        while not take(token):
            room = self.llama.n_ctx() - self.llama.n_tokens - 1
            if room < 1:
                break  # context full: the caller sees finished=False, as with the token cap
            forced = matcher.compute_ff_tokens()[: min(max_tokens - len(generated), step_room, room - 1)]
            if forced:
                matcher.consume_tokens(forced)
                generated.extend(forced)
                forced_total += len(forced)
                if matcher.is_stopped() or len(generated) >= max_tokens:
                    finished = matcher.is_stopped()
                    break
            history = np.concatenate([history, np.array([token, *forced], dtype=np.int64)])
            draft = lookup_draft(history, min(DRAFT_TOKENS, room - 1 - len(forced)))
            draft = draft[: matcher.validate_tokens(draft)] if draft else []
            step = [token, *forced]
            base = self.llama.n_tokens
            self._forward(step + draft, logits_from=len(step) - 1)
            passes += 1
            # Logits are read by batch index: the last forced token's, then each drafted token's.
            token = self._choose(matcher, len(step) - 1)
            kept = 0
            for j, drafted in enumerate(draft):
                if token != drafted:
                    break
                kept += 1
                if take(drafted):
                    break
                token = self._choose(matcher, len(step) + j)
            accepted_drafts += kept
            history = np.concatenate([history, np.array(draft[:kept], dtype=np.int64)])
            self._truncate(base + len(step) + kept)
            if finished or len(generated) >= max_tokens:
                break
        return Decoded(
            tokens=generated,
            prompt_tokens=len(prompt),
            reused_prompt_tokens=reused,
            forward_passes=passes,
            drafted_accepted=accepted_drafts,
            forced=forced_total,
            prompt_seconds=prompt_done - started,
            generate_seconds=time.perf_counter() - prompt_done,
            finished=finished,
        )
