// The Python (PyTorch) classes a generated model.py may need: twins of shadergrad modules that torch.nn
// has no class for (models, positional tables, the GPT block), and thin subclasses of torch.nn classes
// whose forward() takes shadergrad's arguments (batch-first attention with our causal flag). Subclasses
// keep their parent's state-dict keys. `Twin` builds a module from keyword arguments (sub-modules and
// settings) set as attributes under shadergrad's state-dict names, so one generic constructor serves all.
// Each entry lists the classes it needs defined before it.

export interface PythonClass {
  needs: string[];
  source: string;
}

export const PYTHON_PRELUDE = `import functools
import json
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# safetensors with numpy and struct alone (no safetensors package): 8 bytes little-endian header length,
# a JSON header {name: {dtype, shape, data_offsets}}, then the bytes. shadergrad writes F32 and I32.
_NUMPY_DTYPES = {'F32': np.float32, 'F64': np.float64, 'I32': np.int32, 'I64': np.int64, 'F16': np.float16}


def load_safetensors(path):
    """name -> torch tensor for every tensor of a safetensors file."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop('__metadata__', None)
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        dtype = np.dtype(_NUMPY_DTYPES[info['dtype']])
        a = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=8 + n + begin)
        tensors[name] = torch.from_numpy(a.reshape(info['shape']).copy())
    return tensors


def save_safetensors(path, tensors):
    """Writes name -> tensor as safetensors that shadergrad reads: float32, and integer tensors as I32."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        a = a.astype(np.int32) if a.dtype.kind in 'iu' else a.astype(np.float32)
        blob = a.tobytes()
        header[name] = {'dtype': 'I32' if a.dtype == np.int32 else 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def load_weights(model, path):
    """Loads a shadergrad state dict (safetensors) into the twin, every key matched (strict=True)."""
    model.load_state_dict(load_safetensors(path), strict=True)
    return model


def causal_mask(t, device=None):
    """PyTorch's boolean attn_mask for causal attention: True where a query may NOT look (a later key)."""
    return torch.ones(t, t, dtype=torch.bool, device=device).triu(1)
`;

export const PYTHON_CLASSES: Record<string, PythonClass> = {
  Twin: {
    needs: [],
    source: `class Twin(nn.Module):
    """A module made of keyword arguments: sub-modules (registered) and settings, under shadergrad's names."""

    def __init__(self, **parts):
        super().__init__()
        for name, value in parts.items():
            setattr(self, name, value)
`,
  },
  BatchFirstCausal: {
    needs: [],
    source: `class BatchFirstCausal:
    """Mixin for torch.nn's attention classes: batch-first, with shadergrad's causal flag (always passed)."""

    def __init__(self, *args, causal=False, **kw):
        super().__init__(*args, batch_first=True, **kw)
        self.causal = causal

    def mask(self, x):
        return causal_mask(x.shape[1], x.device) if self.causal else None
`,
  },
  MultiheadAttention: {
    needs: ['BatchFirstCausal'],
    source: `class MultiheadAttention(BatchFirstCausal, nn.MultiheadAttention):
    """Called as shadergrad's: forward(query, key=query, value=key) -> output (no attention weights)."""

    def forward(self, query, key=None, value=None):
        key = query if key is None else key
        value = key if value is None else value
        return super().forward(query, key, value, attn_mask=self.mask(query), need_weights=False)[0]
`,
  },
  TransformerEncoderLayer: {
    needs: ['BatchFirstCausal'],
    source: `class TransformerEncoderLayer(BatchFirstCausal, nn.TransformerEncoderLayer):
    def forward(self, src):
        return super().forward(src, src_mask=self.mask(src))
`,
  },
  TransformerDecoderLayer: {
    needs: ['BatchFirstCausal'],
    source: `class TransformerDecoderLayer(BatchFirstCausal, nn.TransformerDecoderLayer):
    def forward(self, tgt, memory):
        return super().forward(tgt, memory, tgt_mask=self.mask(tgt))
`,
  },
  FeedForward: {
    needs: ['Twin'],
    source: `class FeedForward(Twin):
    """fc2(activation(fc1(x))), the feed-forward block of shadergrad's GPT block."""

    def forward(self, x):
        return self.fc2(self.activation(self.fc1(x)))
`,
  },
  GPTBlock: {
    needs: ['Twin', 'FeedForward', 'MultiheadAttention'],
    source: `class GPTBlock(Twin):
    """A GPT-2 block: x + attn(ln1(x)) (causal), then x + mlp(ln2(x))."""

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h)
        return x + self.mlp(self.ln2(x))
`,
  },
  LearnedPositionalEncoding: {
    needs: [],
    source: `class LearnedPositionalEncoding(nn.Module):
    """A learned table of positions: x [B, T, dim] + weight[:T]."""

    def __init__(self, max_len, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(max_len, dim).normal_(0.0, 0.02))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]
`,
  },
  SinusoidalPositionalEncoding: {
    needs: [],
    source: `class SinusoidalPositionalEncoding(nn.Module):
    """sin/cos positions (a buffer, in the state dict as 'table'): x [B, T, dim] + table[:T]."""

    def __init__(self, max_len, dim):
        super().__init__()
        p = torch.arange(max_len, dtype=torch.float64)[:, None]
        i = torch.arange(dim)
        angle = p / torch.pow(10000.0, (2 * (i // 2)).double() / dim)
        self.register_buffer('table', torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle)).float())

    def forward(self, x):
        return x + self.table[: x.shape[1]]
`,
  },
  LeNet: {
    needs: ['Twin'],
    source: `class LeNet(Twin):
    def forward(self, x):
        return self.classifier(self.features(x))
`,
  },
  Detector: {
    needs: ['Twin'],
    source: `class Detector(Twin):
    """x [N, C, H, W] -> raw grid outputs [N, 1 + classes + 4, H/8, W/8] (objectness, class logits, box)."""

    def forward(self, x):
        return self.head(self.backbone(x))
`,
  },
  TabularNet: {
    needs: ['Twin'],
    source: `class TabularNet(Twin):
    """Embeddings of the categorical columns joined to the numeric ones, then body and head."""

    def forward(self, numeric, categories):
        parts = [numeric] + [e(c.long()) for e, c in zip(self.embeddings, categories)]
        return self.head(self.body(torch.cat(parts, 1)))
`,
  },
  BasicBlock: {
    needs: ['Twin'],
    source: `class BasicBlock(Twin):
    """conv-BN-ReLU-conv-BN plus the input (identity) or its projection (shortcut), then ReLU."""

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(h))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))
`,
  },
  ResNet: {
    needs: ['Twin', 'BasicBlock'],
    source: `class ResNet(Twin):
    def forward(self, x):
        h = F.relu(self.stem_bn(self.stem(x)))
        for block in self.blocks:
            h = block(h)
        return self.fc(h.mean((2, 3)))
`,
  },
  DepthwiseSeparableConv: {
    needs: ['Twin'],
    source: `class DepthwiseSeparableConv(Twin):
    """depthwise 3x3 (groups = channels) -> BN -> ReLU -> pointwise 1x1 -> BN -> ReLU."""

    def forward(self, x):
        return F.relu(self.bn2(self.pointwise(F.relu(self.bn1(self.depthwise(x))))))
`,
  },
  MobileNet: {
    needs: ['Twin', 'DepthwiseSeparableConv'],
    source: `class MobileNet(Twin):
    def forward(self, x):
        h = F.relu(self.stem_bn(self.stem(x)))
        for block in self.blocks:
            h = block(h)
        return self.fc(h.mean((2, 3)))
`,
  },
  DenseLayer: {
    needs: ['Twin'],
    source: `class DenseLayer(Twin):
    """BN -> ReLU -> 3x3 conv, concatenated to the input along channels."""

    def forward(self, x):
        return torch.cat([x, self.conv(F.relu(self.bn(x)))], 1)
`,
  },
  DenseBlock: {
    needs: ['Twin', 'DenseLayer'],
    source: `class DenseBlock(Twin):
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
`,
  },
  Transition: {
    needs: ['Twin'],
    source: `class Transition(Twin):
    """BN -> ReLU -> 1x1 conv -> 2x2 average pool."""

    def forward(self, x):
        return self.pool(self.conv(F.relu(self.bn(x))))
`,
  },
  DenseNet: {
    needs: ['Twin', 'DenseBlock', 'Transition'],
    source: `class DenseNet(Twin):
    def forward(self, x):
        h = self.stem(x)
        for i, block in enumerate(self.blocks):
            h = block(h)
            if i < len(self.transitions):
                h = self.transitions[i](h)
        return self.fc(F.relu(self.bn(h)).mean((2, 3)))
`,
  },
  VGG: {
    needs: ['Twin'],
    source: `class VGG(Twin):
    def forward(self, x):
        return self.classifier(self.features(x))
`,
  },
  DenoisingAutoencoder: {
    needs: ['Twin'],
    source: `class DenoisingAutoencoder(Twin):
    def logits(self, x):
        return self.decoder(self.encoder(x))

    def forward(self, x):
        return torch.sigmoid(self.logits(x))
`,
  },
  DoubleConv: {
    needs: ['Twin'],
    source: `class DoubleConv(Twin):
    """conv3x3-BN-ReLU twice (the U-Net block)."""

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)))
`,
  },
  UNet: {
    needs: ['Twin', 'DoubleConv'],
    source: `class UNet(Twin):
    """Encoder (DoubleConv, max pool) and decoder (upsample, concat the skip, DoubleConv), 1x1 head."""

    def forward(self, x):
        skips = []
        h = x
        for level, encoder in enumerate(self.encoders):
            h = encoder(h if level == 0 else self.pool(h))
            skips.append(h)
        for k, (up, decoder) in enumerate(zip(self.ups, self.decoders)):
            h = decoder(torch.cat([skips[len(self.decoders) - 1 - k], up(h)], 1))
        return self.head(h)
`,
  },
  CharGPT: {
    needs: ['Twin', 'GPTBlock', 'LearnedPositionalEncoding'],
    source: `class CharGPT(Twin):
    """ids [B, T] -> logits [B, T, vocab]; loss(ids, targets) is the mean next-character cross-entropy."""

    def forward(self, ids):
        x = self.pos_emb(self.tok_emb(ids))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))

    def loss(self, ids, targets):
        logits = self(ids)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
`,
  },
  ViT: {
    needs: ['Twin', 'TransformerEncoderLayer', 'LearnedPositionalEncoding'],
    source: `class ViT(Twin):
    """Patches (a strided conv, after the conv stem if any) behind a class token, positions, encoder layers, LayerNorm and the head on the class token."""

    def forward(self, x):
        if self.stem is not None:
            x = self.stem(x)
        patches = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = self.pos_emb(torch.cat([self.cls_token.expand(x.shape[0], -1, -1), patches], 1))
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x[:, 0]))
`,
  },
  LSTMForecaster: {
    needs: ['Twin'],
    source: `class LSTMForecaster(Twin):
    """A window [B, W, 1] -> the next value [B]; with seasonal_period p, x[:, W - p] + head(h_W)."""

    def forward(self, x):
        out, _ = self.lstm(x)
        y = self.head(out[:, -1]).reshape(-1)
        p = self.seasonal_period
        return y if p is None else y + x[:, x.shape[1] - p, 0]
`,
  },
  scatter_sum: {
    needs: [],
    source: `def scatter_sum(src, index, n):
    """out[i] = sum of src[e] over the edges e with index[e] == i (0 where none): torch_scatter's scatter_add."""
    return torch.zeros((n,) + tuple(src.shape[1:]), dtype=src.dtype).index_add(0, index, src)
`,
  },
  GCNConv: {
    needs: ['scatter_sum'],
    source: `class GCNConv(nn.Module):
    """PyG's GCNConv in plain PyTorch: gcn_norm (add_remaining_self_loops, deg^-1/2 on both ends), a sum at the targets."""

    def __init__(self, in_channels, out_channels, add_self_loops=True, normalize=True, bias=True):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels, bias=False)
        self.register_parameter('bias', nn.Parameter(torch.zeros(out_channels)) if bias else None)
        self.add_self_loops, self.normalize = add_self_loops, normalize

    def forward(self, x, edge_index):
        n = x.shape[0]
        src, dst = edge_index
        h = self.lin(x)
        if self.normalize:
            if self.add_self_loops:
                looped = torch.zeros(n, dtype=torch.bool)
                looped[src[src == dst]] = True
                loops = torch.arange(n)[~looped]
                src, dst = torch.cat([src, loops]), torch.cat([dst, loops])
            deg = torch.zeros(n).index_add(0, dst, torch.ones(dst.shape[0]))
            dis = torch.where(deg > 0, deg.pow(-0.5), torch.zeros(n))
            h = h[src] * (dis[src] * dis[dst])[:, None]
        else:
            h = h[src]
        out = scatter_sum(h, dst, n)
        return out if self.bias is None else out + self.bias
`,
  },
  SAGEConv: {
    needs: [],
    source: `class SAGEConv(nn.Module):
    """PyG's SAGEConv in plain PyTorch: lin_l(mean or max of the sources at each target) + lin_r(x)."""

    def __init__(self, in_channels, out_channels, aggr='mean', bias=True):
        super().__init__()
        self.lin_l = nn.Linear(in_channels, out_channels, bias=bias)
        self.lin_r = nn.Linear(in_channels, out_channels, bias=False)
        self.aggr = aggr

    def forward(self, x, edge_index):
        src, dst = edge_index
        msg = x[src]
        reduce = {'mean': 'mean', 'max': 'amax'}[self.aggr]
        agg = torch.zeros_like(x).scatter_reduce(0, dst[:, None].expand_as(msg), msg, reduce, include_self=False)
        return self.lin_l(agg) + self.lin_r(x)
`,
  },
  GATConv: {
    needs: ['scatter_sum'],
    source: `class GATConv(nn.Module):
    """PyG's GATConv in plain PyTorch: per-head attention logits a_src.h_j + a_dst.h_i, LeakyReLU, softmax over each target's edges."""

    def __init__(self, in_channels, out_channels, heads=1, concat=True, negative_slope=0.2, dropout=0.0, add_self_loops=True, bias=True):
        super().__init__()
        self.heads, self.out_channels, self.concat = heads, out_channels, concat
        self.negative_slope, self.dropout, self.add_self_loops = negative_slope, dropout, add_self_loops
        self.lin = nn.Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = nn.Parameter(torch.zeros(1, heads, out_channels))
        self.att_dst = nn.Parameter(torch.zeros(1, heads, out_channels))
        self.register_parameter('bias', nn.Parameter(torch.zeros(heads * out_channels if concat else out_channels)) if bias else None)

    def forward(self, x, edge_index):
        n, H, C = x.shape[0], self.heads, self.out_channels
        src, dst = edge_index
        if self.add_self_loops:
            keep = src != dst
            loops = torch.arange(n)
            src, dst = torch.cat([src[keep], loops]), torch.cat([dst[keep], loops])
        h = self.lin(x).view(n, H, C)
        a_src = (h * self.att_src).sum(-1)
        a_dst = (h * self.att_dst).sum(-1)
        e = F.leaky_relu(a_src[src] + a_dst[dst], self.negative_slope)
        m = torch.zeros(n, H).scatter_reduce(0, dst[:, None].expand_as(e), e.detach(), 'amax', include_self=False)
        ex = (e - m[dst]).exp()
        alpha = ex / scatter_sum(ex, dst, n)[dst]
        alpha = F.dropout(alpha, self.dropout, self.training)
        out = scatter_sum(h[src] * alpha[..., None], dst, n)
        out = out.reshape(n, H * C) if self.concat else out.mean(1)
        return out if self.bias is None else out + self.bias
`,
  },
  LoRA: {
    needs: [],
    source: `class LoRA(nn.Module):
    """PEFT's LoRA layer: base_layer (frozen) + scaling · lora_B(lora_A(x)); lora_A/lora_B are Linear or Conv2d."""

    def __init__(self, base_layer, lora_A, lora_B, scaling):
        super().__init__()
        self.base_layer, self.lora_A, self.lora_B, self.scaling = base_layer, lora_A, lora_B, scaling
        self.base_layer.requires_grad_(False)

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(x)) * self.scaling
`,
  },
  QuantizedLinear: {
    needs: ['int8_rows'],
    source: `class QuantizedLinear(nn.Module):
    """shadergrad's int8 Linear: int8 weight per output row, input rows quantized (dynamic, or by input_scale), exact integer sums, dequantised; straight-through input gradient."""

    def __init__(self, in_features, out_features, bias, static):
        super().__init__()
        self.register_buffer('weight', torch.zeros(out_features, in_features, dtype=torch.int32))
        self.register_buffer('weight_scale', torch.zeros(out_features))
        self.register_buffer('bias', torch.zeros(out_features) if bias else None)
        self.register_buffer('input_scale', torch.zeros(1) if static else None)

    def forward(self, x):
        rows = x.reshape(-1, self.weight.shape[1])
        y = int8_rows(rows, self.weight, self.weight_scale, self.bias, self.input_scale)
        return y.reshape(*x.shape[:-1], self.weight.shape[0])
`,
  },
  QuantizedConv2d: {
    needs: ['int8_rows'],
    source: `class QuantizedConv2d(nn.Module):
    """shadergrad's int8 Conv2d: im2col (F.unfold), each position's patch quantized as a row, the int8 product, dequantised."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, bias, static):
        super().__init__()
        self.register_buffer('weight', torch.zeros(out_channels, in_channels, *kernel_size, dtype=torch.int32))
        self.register_buffer('weight_scale', torch.zeros(out_channels))
        self.register_buffer('bias', torch.zeros(out_channels) if bias else None)
        self.register_buffer('input_scale', torch.zeros(1) if static else None)
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation

    def forward(self, x):
        n, _, h, w = x.shape
        cols = F.unfold(x, self.kernel_size, dilation=self.dilation, padding=self.padding, stride=self.stride)
        L = cols.shape[2]
        rows = cols.transpose(1, 2).reshape(n * L, -1)
        o = self.weight.shape[0]
        y = int8_rows(rows, self.weight.reshape(o, -1), self.weight_scale, self.bias, self.input_scale)
        kh, kw = self.kernel_size
        oh = (h + 2 * self.padding[0] - self.dilation[0] * (kh - 1) - 1) // self.stride[0] + 1
        ow = (w + 2 * self.padding[1] - self.dilation[1] * (kw - 1) - 1) // self.stride[1] + 1
        return y.reshape(n, L, o).transpose(1, 2).reshape(n, o, oh, ow)
`,
  },
  int8_rows: {
    needs: [],
    source: `def int8_rows(rows, weight, weight_scale, bias, input_scale):
    """rows [R, k] quantized per row (or by input_scale) to int8, times the int8 weight [out, k] exactly, dequantised, plus bias;
    the gradient to rows is the float layer's with the dequantised weight (straight through)."""
    s = input_scale.expand(rows.shape[0]) if input_scale is not None else rows.detach().abs().amax(1) / 127
    q = torch.where(s[:, None] > 0, torch.clamp(torch.round(rows.detach() / s[:, None]), -127, 127), torch.zeros(()))
    acc = (q.double() @ weight.double().t()).float()
    y = acc * s[:, None] * weight_scale[None, :]
    w = weight.float() * weight_scale[:, None]
    f = rows @ w.t()
    y = y + (f - f.detach())
    return y if bias is None else y + bias
`,
  },
  FakeQuantized: {
    needs: [],
    source: `class FakeQuantized(nn.Module):
    """Quantization-aware training's layer: weights per output channel and the input per batch fake-quantized to int8, straight-through gradients."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    @staticmethod
    def fq(v, s):
        q = torch.where(s > 0, torch.clamp(torch.round(v / s), -127, 127) * s, torch.zeros(()))
        return v + (q - v).detach()

    def forward(self, x):
        w = self.layer.weight
        ws = (w.abs().amax(dim=tuple(range(1, w.dim())), keepdim=True) / 127).detach()
        xs = (x.abs().max() / 127).detach()
        xq, wq = self.fq(x, xs), self.fq(w, ws)
        if isinstance(self.layer, nn.Linear):
            return F.linear(xq, wq, self.layer.bias)
        l = self.layer
        return F.conv2d(xq, wq, l.bias, l.stride, l.padding, l.dilation, l.groups)
`,
  },
};
