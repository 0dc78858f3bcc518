"""A tiny random-weight GGUF model, made in the test set-up with the `gguf` package.

Llama architecture, two layers of 64 dimensions, an SPM tokenizer of a few hundred
pieces (byte fallback, so any French text tokenizes) and a ChatML chat template: a
real llama.cpp server loads it and speaks the real protocol in milliseconds. Its
answers are gibberish, so the tests check the protocol and the bot's handling,
never the prose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# SentencePiece token types, as llama.cpp reads them.
NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6

EMBED = 64
LAYERS = 2
HEADS = 4
FEED_FORWARD = 128
TRAINED_CONTEXT = 4096


def _vocabulary() -> tuple[list[str], list[float], list[int]]:
    tokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    types = [UNKNOWN, CONTROL, CONTROL, CONTROL, CONTROL]
    tokens += [f"<0x{byte:02X}>" for byte in range(256)]
    types += [BYTE] * 256
    # Pieces that make JSON and French short: a few whole words, letters, punctuation.
    pieces = ["▁", *"abcdefghijklmnopqrstuvwxyzéèàçù", *'{}[]":,.', "▁le", "▁la", "▁de"]
    pieces += ["▁et", "▁les", "▁des", "▁un", "▁une", '▁"', '":', "title", "body"]
    tokens += pieces
    types += [NORMAL] * len(pieces)
    scores = [0.0] * 261 + [-float(rank) for rank in range(len(pieces))]
    return tokens, scores, types


def write_tiny_model(
    path: Path, *, embed: int = EMBED, layers: int = LAYERS, seed: int = 16
) -> Path:
    """Write the model to `path` (half a megabyte) and return it. A wider, deeper one
    (`embed`, `layers`) takes seconds over a long prompt: time to kill its server."""
    import gguf  # the test extra; only the llama.cpp tests need it

    tokens, scores, types = _vocabulary()
    rng = np.random.default_rng(seed)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("depeche-tiny-random")
    feed_forward = FEED_FORWARD * embed // EMBED
    writer.add_context_length(TRAINED_CONTEXT)
    writer.add_embedding_length(embed)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(feed_forward)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(embed // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHATML)

    # numpy shapes are (rows, columns): GGUF stores them reversed, as llama.cpp wants.
    writer.add_tensor("token_embd.weight", weights(len(tokens), embed))
    for layer in range(layers):
        block = f"blk.{layer}"
        writer.add_tensor(f"{block}.attn_norm.weight", np.ones(embed, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{block}.{name}.weight", weights(embed, embed))
        writer.add_tensor(f"{block}.ffn_norm.weight", np.ones(embed, dtype=np.float32))
        writer.add_tensor(f"{block}.ffn_gate.weight", weights(feed_forward, embed))
        writer.add_tensor(f"{block}.ffn_up.weight", weights(feed_forward, embed))
        writer.add_tensor(f"{block}.ffn_down.weight", weights(embed, feed_forward))
    writer.add_tensor("output_norm.weight", np.ones(embed, dtype=np.float32))
    writer.add_tensor("output.weight", weights(len(tokens), embed))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
