#!/usr/bin/python3
"""Write the PyTorch / Hugging Face fixtures of test/weights.pytorch.test.ts.

Run with Debian's python3 (python3-torch 1.13):  /usr/bin/python3 scripts/make-torch-fixtures.py
Output: test/fixtures/weights/pytorch/ (checkpoints, their .safetensors twins, malicious pickles)
and test/fixtures/weights/hf-*/ (Hugging Face folders). Deterministic: weights come from a
seeded generator and are rounded to multiples of 1/8 in [-2, 2], exact in float16, bfloat16,
float32 and float64, so every file of a group holds the same numbers.

Rerunning it reproduces every file byte for byte except the legacy-format ones, whose storage
keys are Python object ids (the tensors they hold are the same).

Each checkpoint X has a twin written by hand as safetensors (`write_safetensors`, no safetensors
package needed), holding the tensors that should become the network, in network order.
"""
import collections
import json
import os
import pickle
import shutil
import struct
import sys
import zipfile

import torch
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'weights')
PT = os.path.join(ROOT, 'pytorch')
MARKER_DIR = '/tmp'  # the malicious payloads would create /tmp/ergo-pickle-marker-<name>

ST_DTYPE = {
    torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8',
    torch.bool: 'BOOL',
}


def write_safetensors(path, tensors):
    """safetensors by hand: u64 LE header length, JSON header in insertion order, raw LE data."""
    header = collections.OrderedDict()
    blobs = []
    off = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()
        else:
            raw = t.numpy().tobytes()
        header[name] = {'dtype': ST_DTYPE[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def eighths(shape, gen):
    return (torch.randn(shape, generator=gen) * 8).round().clamp(-16, 16) / 8


class Net(nn.Module):
    """A small convnet; registration order: conv1, conv2, bn, fc1, fc2."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.bn = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv2(torch.relu(self.conv1(x)))))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 2).flatten(1)
        return self.fc2(torch.relu(self.fc1(x)))


def make_net():
    gen = torch.Generator().manual_seed(20261201)
    net = Net()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(eighths(p.shape, gen))
    return net


def adam_state(net):
    """Adam after one step (moments populated), with the weights put back as they were."""
    saved = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss = net(torch.ones(2, 3, 8, 8)).square().sum()
    loss.backward()
    opt.step()
    with torch.no_grad():
        for p, s in zip(net.parameters(), saved):
            p.copy_(s)
    return opt.state_dict()


def pytorch_layouts():
    net = make_net()
    sd = net.state_dict()
    params = collections.OrderedDict((k, v) for k, v in net.named_parameters())
    write_safetensors(os.path.join(PT, 'net.safetensors'), params)
    torch.save(sd, os.path.join(PT, 'state_dict.pth'))
    torch.save({'state_dict': sd, 'epoch': 3}, os.path.join(PT, 'wrap_state_dict.pt'))
    torch.save({'model': sd, 'args': {'lr': 0.1}}, os.path.join(PT, 'wrap_model.pt'))
    optim = adam_state(net)
    torch.save({'epoch': 5, 'model_state_dict': sd, 'optimizer_state_dict': optim}, os.path.join(PT, 'wrap_model_state_dict.tar'))
    # Lightning-style checkpoint (built by hand: pytorch_lightning is not installed): the
    # LightningModule holds the network as `self.model`, hence the 'model.' prefixes.
    lightning = {
        'epoch': 1,
        'global_step': 10,
        'pytorch-lightning_version': '1.9.0',
        'state_dict': collections.OrderedDict(('model.' + k, v) for k, v in sd.items()),
        'loops': {'fit_loop': {'state_dict': {}}},
        'callbacks': {},
        'optimizer_states': [optim],
        'lr_schedulers': [],
        'hparams_name': 'kwargs',
        'hyper_parameters': {'lr': 0.001, 'hidden': 32},
    }
    torch.save(lightning, os.path.join(PT, 'lightning.ckpt'))
    torch.save(net, os.path.join(PT, 'whole_module.pt'))
    torch.save({'model': net, 'epoch': 2}, os.path.join(PT, 'wrap_whole_module.pt'))
    torch.save(sd, os.path.join(PT, 'legacy.pth'), _use_new_zipfile_serialization=False)
    torch.save(net, os.path.join(PT, 'legacy_whole_module.pt'), _use_new_zipfile_serialization=False)
    # half precision: same numbers (multiples of 1/8 are exact)
    torch.save(collections.OrderedDict((k, v.half()) for k, v in params.items()), os.path.join(PT, 'fp16.pth'))
    torch.save(collections.OrderedDict((k, v.bfloat16()) for k, v in params.items()), os.path.join(PT, 'bf16.pth'))
    torch.save(collections.OrderedDict((k, v.double()) for k, v in params.items()), os.path.join(PT, 'fp64.pth'))


def dtypes():
    gen = torch.Generator().manual_seed(7)
    base = (torch.randn(4, 6, generator=gen) * 4).round().clamp(-8, 8)
    sd = collections.OrderedDict()
    for dt in [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16, torch.int8]:
        sd[str(dt).replace('torch.', '')] = base.to(dt)
    sd['uint8'] = (base + 8).to(torch.uint8)
    sd['bool'] = base > 0
    write_safetensors(os.path.join(PT, 'dtypes.safetensors'), sd)
    torch.save(sd, os.path.join(PT, 'dtypes.pth'))
    torch.save(sd, os.path.join(PT, 'dtypes_legacy.pth'), _use_new_zipfile_serialization=False)


def views():
    """Non-contiguous views and storages shared by several tensors (offsets, strides)."""
    gen = torch.Generator().manual_seed(11)
    big = eighths((12, 10), gen)
    other = eighths((6, 5), gen)
    sd = collections.OrderedDict()
    sd['whole'] = big                      # the storage itself
    sd['transposed'] = big.t()             # stride (1, 10)
    sd['columns'] = big[:, 3:8]            # offset 3, stride (10, 1)
    sd['every_other'] = big[1::2, ::3]     # offset 10, stride (20, 3)
    sd['flat_slice'] = big.view(-1)[7:7 + 24].view(4, 6)  # offset 7, contiguous
    sd['tied'] = big                       # the same tensor under a second name
    sd['other.t'] = other.t()
    sd['conv_view'] = big.view(-1)[:96].view(4, 2, 3, 4).permute(0, 3, 1, 2)  # rank 4, permuted
    write_safetensors(os.path.join(PT, 'views.safetensors'), collections.OrderedDict((k, v.contiguous()) for k, v in sd.items()))
    torch.save(sd, os.path.join(PT, 'views.pth'))
    torch.save(sd, os.path.join(PT, 'views_legacy.pth'), _use_new_zipfile_serialization=False)


def hf_folders():
    """Sharded HF folders: 12 blocks, names whose alphabetical order is not network order."""
    gen = torch.Generator().manual_seed(3)
    sd = collections.OrderedDict()
    sd['embed.weight'] = eighths((20, 8), gen)
    for i in range(12):
        sd[f'layers.{i}.attn.weight'] = eighths((8, 8), gen)
        sd[f'layers.{i}.mlp.bias'] = eighths((12,), gen)
        sd[f'layers.{i}.mlp.weight'] = eighths((12, 8), gen)
    sd['norm.weight'] = eighths((8,), gen)
    write_safetensors(os.path.join(ROOT, 'hf.safetensors'), sd)
    names = list(sd)
    shards = [names[:13], names[13:26], names[26:]]
    for kind in ['safetensors', 'bin']:
        d = os.path.join(ROOT, f'hf-{kind}')
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        stem = 'model' if kind == 'safetensors' else 'pytorch_model'
        weight_map = {}
        for k, part in enumerate(shards):
            fname = f'{stem}-{k + 1:05d}-of-{len(shards):05d}.{kind}'
            chunk = collections.OrderedDict((n, sd[n]) for n in part)
            if kind == 'safetensors':
                write_safetensors(os.path.join(d, fname), chunk)
            else:
                torch.save(collections.OrderedDict((n, t.clone()) for n, t in chunk.items()), os.path.join(d, fname))
            weight_map.update({n: fname for n in part})
        total = sum(t.numel() * t.element_size() for t in sd.values())
        with open(os.path.join(d, f'{stem}.{kind}.index.json'), 'w') as f:
            json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2, sort_keys=True)
        if kind == 'safetensors':
            with open(os.path.join(d, 'config.json'), 'w') as f:
                json.dump({'architectures': ['TinyModel'], 'model_type': 'tiny', 'num_hidden_layers': 12}, f, indent=2)
    single = os.path.join(ROOT, 'hf-single-bin')
    shutil.rmtree(single, ignore_errors=True)
    os.makedirs(single)
    torch.save(sd, os.path.join(single, 'pytorch_model.bin'))


class Payload:
    """A pickle that runs `fn(arg)` when loaded by Python's own unpickler."""

    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def malicious():
    import builtins
    import subprocess
    d = os.path.join(PT, 'malicious')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    marker = lambda name: os.path.join(MARKER_DIR, f'ergo-pickle-marker-{name}')
    payloads = {
        'os_system': Payload(os.system, f'touch {marker("os_system")}'),
        'eval': Payload(eval, f"open({marker('eval')!r}, 'w').close()"),
        'builtins_exec': Payload(builtins.exec, f"open({marker('builtins_exec')!r}, 'w').close()"),
        'subprocess_popen': Payload(subprocess.Popen, ['touch', marker('subprocess_popen')]),
    }
    # 1. plain pickles of the payload (what a bare .pt/.pkl attack looks like)
    for name, p in payloads.items():
        for proto in [2, 4]:
            with open(os.path.join(d, f'{name}.p{proto}.pt'), 'wb') as f:
                pickle.dump(p, f, protocol=proto)
    # 2. the payload as a torch zip's data.pkl, alone and inside a real state_dict
    sd = make_net().state_dict()
    for name, p in payloads.items():
        torch.save({'state_dict': sd, 'hook': p}, os.path.join(d, f'{name}.in_state.pth'))
        src = os.path.join(d, f'{name}.in_state.pth')
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(os.path.join(d, f'{name}.data_pkl.pth'), 'w') as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename.endswith('/data.pkl'):
                    data = pickle.dumps(p, protocol=2)
                zout.writestr(info, data)
    # 3. the payload in the legacy format's object pickle (after magic, protocol, sys info)
    for name, p in payloads.items():
        with open(os.path.join(d, f'{name}.legacy.pt'), 'wb') as f:
            pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
            pickle.dump(1001, f, protocol=2)
            pickle.dump({'protocol_version': 1001, 'little_endian': True}, f, protocol=2)
            pickle.dump(p, f, protocol=2)
            pickle.dump([], f, protocol=2)


def main():
    os.makedirs(PT, exist_ok=True)
    pytorch_layouts()
    dtypes()
    views()
    hf_folders()
    malicious()
    print('torch', torch.__version__, 'fixtures written under', os.path.normpath(ROOT), file=sys.stderr)


if __name__ == '__main__':
    main()
