#!/usr/bin/env bash
# One run behind the README's model-optimization table: LeNet-5 trained (float32), quantized to int8,
# pruned to 50% and fine-tuned one epoch, distilled into an MLP of hidden 32; the transfer task
# (pre-train on 0-4, LoRA rank 4 on 5-9). Size and batch latency of each float model come from
# `quantize`, which measures the float model it reads (the int8 file it writes is discarded).
# Usage: bash scripts/model-optimization.sh [workdir]  — writes bench/results/model-optimization-<adapter>-<date>.json
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
sg() { node bin/shadergrad.js "$@" --json --quiet 2>/dev/null | tail -1; }
echo "[1/7] train LeNet-5 (float32)" >&2
train=$(sg train --model lenet --checkpoint "$work/lenet.ckpt")
echo "[2/7] quantize to int8" >&2
int8=$(sg quantize --checkpoint "$work/lenet.ckpt" --out "$work/lenet-int8.ckpt")
echo "[3/7] prune 50%, fine-tune 1 epoch" >&2
prune=$(sg prune --checkpoint "$work/lenet.ckpt" --sparsity 0.5 --finetune-epochs 1 --out "$work/lenet-pruned.ckpt")
prunedTiming=$(sg quantize --checkpoint "$work/lenet-pruned.ckpt" --out "$work/discard.ckpt")
echo "[4/7] distill into an MLP of hidden 32" >&2
distill=$(sg distill --teacher "$work/lenet.ckpt" --student mlp --hidden 32 --out "$work/student.ckpt")
studentTiming=$(sg quantize --checkpoint "$work/student.ckpt" --out "$work/discard.ckpt")
echo "[5/7] pre-train on 0-4" >&2
pre=$(sg train --model lenet --digits 0-4 --checkpoint "$work/lenet04.ckpt")
echo "[6/7] LoRA rank 4 on 5-9 (float base, then int8 base)" >&2
lora=$(sg finetune --checkpoint "$work/lenet04.ckpt" --digits 5-9 --lora-rank 4 --out "$work/lora.ckpt")
loraInt8=$(sg finetune --checkpoint "$work/lenet04.ckpt" --digits 5-9 --lora-rank 4 --int8-base)
loraTiming=$(sg quantize --checkpoint "$work/lora.ckpt" --out "$work/discard.ckpt")
echo "[7/7] adapter" >&2
info=$(node bin/shadergrad.js info --json 2>/dev/null | tail -1)
out="bench/results/model-optimization-$(node -e 'const a=JSON.parse(process.argv[1]).adapter;console.log(String(a).split(/[ ,(:]/)[0].toLowerCase())' "$info")-$(date -u +%F).json"
node -e '
const [train, int8, prune, prunedTiming, distill, studentTiming, pre, lora, loraInt8, loraTiming, info] = process.argv.slice(1, 12).map((s) => JSON.parse(s));
const rows = [
  { variant: "float32 LeNet-5", test_accuracy: int8.metrics.float_test_accuracy, bytes: int8.metrics.float_size_bytes, ms_per_batch: int8.metrics.float_ms_per_batch },
  { variant: "int8 (static scales)", test_accuracy: int8.metrics.test_accuracy, bytes: int8.metrics.size_bytes, ms_per_batch: int8.metrics.ms_per_batch },
  { variant: "pruned 50% + 1 epoch", test_accuracy: prune.metrics.test_accuracy, bytes: prunedTiming.metrics.float_size_bytes, ms_per_batch: prunedTiming.metrics.float_ms_per_batch, sparsity: prune.metrics.sparsity },
  { variant: "distilled MLP-32", test_accuracy: distill.metrics.test_accuracy, alone: distill.metrics.student_alone_test_accuracy, bytes: studentTiming.metrics.float_size_bytes, ms_per_batch: studentTiming.metrics.float_ms_per_batch },
  { variant: "LoRA r4 on 5-9 (merged)", test_accuracy: lora.metrics.test_accuracy, int8_base_test_accuracy: loraInt8.metrics.test_accuracy, trainable_params: lora.metrics.trainable_params, total_params: lora.metrics.total_params, bytes: loraTiming.metrics.float_size_bytes, ms_per_batch: loraTiming.metrics.float_ms_per_batch },
];
const result = { date: new Date().toISOString(), adapter: info.adapter, batch_size: int8.config.batch_size, pretrain_0_4: pre.metrics.test_accuracy, runs: { train, int8, prune, distill, pre, lora, loraInt8 }, rows };
require("fs").writeFileSync(process.argv[12], JSON.stringify(result, null, 2) + "\n");
console.log("| variant | held-out accuracy | bytes | ms per batch of " + int8.config.batch_size + " |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.variant} | ${(100 * r.test_accuracy).toFixed(2)}% | ${r.bytes} | ${r.ms_per_batch.toFixed(1)} |`);
console.error("wrote " + process.argv[12]);
' "$train" "$int8" "$prune" "$prunedTiming" "$distill" "$studentTiming" "$pre" "$lora" "$loraInt8" "$loraTiming" "$info" "$out"
