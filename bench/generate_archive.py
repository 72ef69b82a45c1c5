#!/usr/bin/env python3
"""Generate a synthetic Papers With Code archive, at a chosen scale, in the real dump formats.

Writes the five archive files (each ONE JSON array of records, gzip-compressed unless --no-gzip)
in the record shapes of docs/archive-formats.md:

    papers-with-abstracts.json.gz         links-between-papers-and-code.json.gz
    evaluation-tables.json.gz             methods.json.gz            datasets.json.gz

At --scale 1.0 the record counts are those of the last public dumps (576,261 papers, ...); the
scale multiplies every count. The output is a pure function of (seed, scale): two runs write the
same bytes. Records are streamed to the files one at a time; only the small pools (tasks, methods,
dataset names) and the leaderboard plan are held in memory.

Usage:
    python bench/generate_archive.py --out DIR [--scale 1.0] [--seed 42] [--no-gzip] [--parquet]

With --parquet it also writes the same archive as Parquet, in the Hugging Face layout, under
DIR/parquet/<repository>/data/train-00000-of-00001.parquet (see json_to_parquet.py; that needs pyarrow and ijson).

Standard library only; orjson is used when importable (same bytes, faster).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import NamedTuple

try:  # only a speed-up: for this data it writes the same bytes as the json fallback
    import orjson
except ImportError:  # pragma: no cover - depends on the machine
    orjson = None

PWC = "https://paperswithcode.com/"

# Counts of the last public dumps; --scale multiplies them (at least 1 each).
BASE_COUNTS = {
    "papers": 576_261,
    "code_links": 300_161,
    "methods": 8_725,
    "datasets": 15_008,
    "top_level_tasks": 2_254,
    "tasks_total": 4_500,  # "about": top-level tasks plus nested subtasks
    "rows": 155_456,
    "metric_values": 326_393,
}

FILES = {
    "papers": "papers-with-abstracts.json",
    "code_links": "links-between-papers-and-code.json",
    "evaluation_tables": "evaluation-tables.json",
    "methods": "methods.json",
    "datasets": "datasets.json",
}

SQL_DATASET = "01/01/1967' AND 2*3*8=6*8 AND 'AncJ'='AncJ"


def scaled_counts(scale: float) -> dict:
    c = {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}
    c["tasks_total"] = max(c["tasks_total"], c["top_level_tasks"])
    # every row holds 1..6 metric values
    c["metric_values"] = min(max(c["metric_values"], c["rows"]), 6 * c["rows"])
    c["code_links"] = min(c["code_links"], 40 * c["papers"])
    c["authors"] = max(1, round(0.6 * c["papers"]))
    return c


# ----------------------------------------------------------------------------- output


if orjson is not None:
    def dumps(obj) -> bytes:
        return orjson.dumps(obj)
else:  # pragma: no cover - depends on the machine
    _ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)

    def dumps(obj) -> bytes:
        return _ENCODER.encode(obj).encode("utf-8")


class ArrayWriter:
    """Streams records into one JSON array file (one record per line), buffered in ~1 MB chunks."""

    FLUSH_AT = 1 << 20

    def __init__(self, path: str, use_gzip: bool, level: int):
        self.path = path
        self.count = 0
        self._raw = open(path, "wb")
        # mtime=0 and no file name in the gzip header: the same bytes on every run, in any folder
        self._out = (gzip.GzipFile(filename="", mode="wb", compresslevel=level, fileobj=self._raw, mtime=0)
                     if use_gzip else self._raw)
        self._buf = [b"["]
        self._size = 1

    def write(self, record) -> None:
        data = dumps(record)
        self._buf.append(b",\n" if self.count else b"\n")
        self._buf.append(data)
        self._size += len(data) + 2
        self.count += 1
        if self._size >= self.FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        self._out.write(b"".join(self._buf))
        self._buf = []
        self._size = 0

    def close(self) -> None:
        self._buf.append(b"\n]\n" if self.count else b"]\n")
        self._flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ----------------------------------------------------------------------------- randomness


def derive_seed(seed: int, label: str) -> int:
    """A 64-bit seed per component, so each file's stream does not depend on the others'."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{label}".encode()).digest()[:8], "big")


def stream_rng(seed: int, label: str) -> random.Random:
    return random.Random(derive_seed(seed, label))


def power_index(rng: random.Random, n: int, s: float) -> int:
    """An index in [0, n) with P(k) ~ (k+1)^-s: a few very popular items and a long tail (0 < s < 1)."""
    if n <= 1:
        return 0
    a = 1.0 - s
    x = (((n + 1) ** a - 1.0) * rng.random() + 1.0) ** (1.0 / a)
    return min(int(x) - 1, n - 1)


def distinct(rng: random.Random, n: int, k: int, s: float) -> list[int]:
    """k distinct power-law indices in [0, n) (fewer if n is small), in draw order."""
    k = min(k, n)
    out: list[int] = []
    tries = 0
    while len(out) < k and tries < 8 * k + 8:
        tries += 1
        i = power_index(rng, n, s)
        if i not in out:
            out.append(i)
    return out


def cum(weights) -> list[float]:
    return list(itertools.accumulate(weights))


def pick(rng: random.Random, values, cw) -> object:
    return rng.choices(values, cum_weights=cw)[0]


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int | None = None) -> str:
    """PWC-style slug: ASCII lower-case words joined by '-', cut at a word boundary."""
    s = _NON_ALNUM.sub("-", text.lower()).strip("-")
    if max_len and len(s) > max_len:
        cut = s[: max_len + 1]
        pos = cut.rfind("-")
        s = cut[:pos] if pos > 0 else s[:max_len]
    return s or "untitled"


class SlugRegistry:
    """Unique slugs; a taken slug gets '-1', '-2', ... like Papers With Code does."""

    def __init__(self):
        self.seen: set[str] = set()

    def claim(self, base: str) -> str:
        slug, k = base, 0
        while slug in self.seen:
            k += 1
            slug = f"{base}-{k}"
        self.seen.add(slug)
        return slug


def h64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


# ----------------------------------------------------------------------------- vocabularies

TITLE_ADJ = """Deep Neural Efficient Robust Scalable Adaptive Generalized Unified Simple Fast Learned Hierarchical
Sparse Dense Contrastive Self-Supervised Unsupervised Semi-Supervised Weakly-Supervised Few-Shot Zero-Shot
Multi-Task Multi-Modal Cross-Lingual Cross-Domain Graph-Based Probabilistic Bayesian Variational Adversarial
Generative Discriminative Interpretable Explainable Causal Continual Federated Differentiable Lightweight
Large-Scale Pretrained Masked Conditional Implicit Explicit Temporal Spatial Spatio-Temporal Structured Latent
Stochastic Optimal Provable Universal Compositional Equivariant Invariant Geometric Physics-Informed
Attention-Based Transformer-Based Diffusion-Based Memory-Efficient Data-Efficient Label-Efficient Fine-Grained
Long-Range Open-Vocabulary Open-World Domain-Adaptive Incremental Online Offline Decentralized Distributed
Parallel Recurrent Convolutional Residual Dynamic Neuro-Symbolic Multilingual Visual Semantic Neural-Guided""".split()
TITLE_NOUN = """Networks Learning Representations Transformers Models Attention Embeddings Segmentation Detection
Classification Generation Translation Retrieval Reasoning Inference Optimization Regularization Distillation
Adaptation Alignment Pretraining Fine-Tuning Prompting Augmentation Clustering Estimation Recognition Tracking
Reconstruction Synthesis Compression Quantization Pruning Search Planning Control Exploration Policies Agents
Graphs Images Videos Point-Clouds Language Speech Audio Text Documents Knowledge Memory Features Descriptors
Kernels Gradients Priors Objectives Benchmarks Datasets Baselines Metrics Captioning Summarization Parsing
Forecasting Imputation Denoising Super-Resolution Inpainting Editing Grounding Navigation Manipulation Dynamics
Encoders Decoders Autoencoders Mixtures Experts Tokens Patches Queries Prototypes Uncertainty Robustness Fairness
Privacy Calibration Generalization Scaling Sparsity Correspondence Matching Registration Completion""".split()
TITLE_PREP = "for with via in on from under without beyond through using towards against across".split()
TITLE_DOMAIN = """Medical Imaging|Autonomous Driving|Remote Sensing|Natural Language|Computer Vision|Question Answering
|Machine Translation|Speech Recognition|Recommender Systems|Molecular Property Prediction|Time Series|Knowledge
Graphs|Robotics|Video Understanding|Code Generation|Drug Discovery|Protein Structure|Dialogue Systems|Visual
Question Answering|Image Classification|Object Detection|Semantic Segmentation|Reinforcement Learning|Graph Neural
Networks|Large Language Models|Low-Resource Languages|Edge Devices|Noisy Labels|Long-Tailed Recognition
|Out-of-Distribution Detection|Tabular Data|Scientific Documents""".replace("\n", " ").split("|")
TITLE_STARTERS = ["Towards", "Rethinking", "Revisiting", "Learning to", "On the", "Understanding", "Beyond",
                  "Improving", "Scaling", "Exploring", "A Study of", "An Empirical Study of", "When Do",
                  "What Makes", "Are", "Do"]
TITLE_SMALL = set(TITLE_PREP) | {"of", "the", "a", "an", "and", "to"}
TITLE_ADJ_SET = set(TITLE_ADJ)
NAME_HEAD = """La Mini Deep Swin Mix Vi Dino Sam Fast Light Mega Tiny Omni Uni Poly Hyper Meta Nano Graph Point Pix
Vox Seg Dense Sparse Flash Long Big Med Geo Bio Chem Code Math Auto Style Sim Clip Blip Flan Alpa Llama Orca
Falcon Phi Gem Neo Open Trans Conv Res Eff Mobile Shuffle Ghost Rep Dyna Adap Mask Cross Dual Twin Star""".split()
NAME_TAIL = """Net Former Mixer GAN LM BERT Diff Flow Seg Det Track Pose NeRF IR SR Rec Nav Gen QA Bench Match Fusion
Align Lab CLR VAE Sum Coder""".split()
NAME_SUFFIX = ["", "", "", "-LM", "++", "v2", "-XL", "3D", "-2", "-S", "-V", "-R1"]

# Abstract vocabulary, most frequent first (a Zipf law over this order).
ABSTRACT_VOCAB = """the of and to a in we for is that on with this our by as are an from which
can be it these their model method approach results show data propose learning performance based
two new than both while more such into using also not has have been its between over at or only each
first three existing across without neural network networks deep training task tasks representation
representations features image images video language text graph attention transformer framework
dataset datasets benchmark benchmarks state-of-the-art accuracy efficiency robustness generalization
supervised unsupervised self-supervised semi-supervised pretraining fine-tuning inference optimization
loss objective gradient parameters architecture encoder decoder embedding embeddings latent space
distribution samples generation generative adversarial diffusion reinforcement policy agent reward
environment classification detection segmentation recognition retrieval translation question answering
reasoning knowledge memory sequence sequences tokens context contextual multimodal visual semantic spatial
temporal structure module modules layer layers convolutional recurrent kernel sparse dense scalable
efficient effective novel simple robust significant significantly outperforms improves improvement
achieves competitive experiments experimental evaluation demonstrate analysis theoretical empirical
prior previous recent large-scale small large computational cost lightweight real-world synthetic noisy
labels annotations unlabeled domain domains transfer adaptation shift out-of-distribution uncertainty
calibration interpretability explanations fairness bias privacy federated clients communication
convergence guarantees bounds regret sample complexity algorithm algorithms problem problems setting
settings scenarios challenging limitations limited capacity capabilities downstream zero-shot few-shot
prompts instruction language-models agents planning control robot navigation manipulation 3D point
cloud depth pose human object objects scene scenes pixel resolution super-resolution denoising
restoration compression quantization pruning distillation teacher student ensemble mixture experts
routing scaling emergent hierarchical contrastive masked autoregressive tokenizer vocabulary corpus
corpora annotated manually automatically jointly end-to-end pipeline baseline baselines ablation
ablations hyperparameters regularization overfitting variance estimator estimation consistent
theoretically practical practice deployment latency throughput memory-efficient hardware GPU
accelerators e.g., i.e., (i) (ii) (iii) 10% 2x 1.5× ≈ $\\mathcal{O}(n)$ —""".split()
ABSTRACT_CW = cum((k + 1) ** -1.0 for k in range(len(ABSTRACT_VOCAB)))
ABSTRACT_STARTERS = ["We propose", "In this paper, we", "Recent advances in", "Experiments on", "Our method",
                     "This work", "We show that", "Extensive experiments demonstrate that", "To this end,",
                     "However,", "Moreover,", "Code is available at"]

FIRST_NAMES = """James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Daniel Karen Matthew Nancy Anthony Lisa Mark Sandra Steven Ashley Andrew Emily
Wei Ming Jing Xiao Hao Jun Yan Lei Hui Yang Ying Fei Tao Bo Xin Yu Zhi Qiang Jian Lin Yue Han Chen Kai Yi Rui
Xiaoyu Zhiwei Jiaming Yuxin Haoran Zihan Siyuan Yifan Minghao Chiyu Alham Abdul Muhammad Ahmed Mohammed Fatima
Aisha Omar Yusuf Layla Priya Rahul Anil Sanjay Deepak Ananya Arjun Kavya Vikram Neha Rohan Yuki Haruto Sakura
Kenji Hiroshi Takumi Aiko Min-jun Ji-woo Seo-yeon Hyun-woo Thanh Minh Linh Duc José Zoë Jürgen Søren Łukasz
François Ana-María Chloé Björn Ólafur Þóra İlkay Gökhan Dmitrij Ivan Olga Natalia Sergei Anastasia Pavel Elena
Giulia Marco Luca Francesca Matteo Chiara Pierre Camille Julien Léa Antoine Margaux Hans Anke Lukas Katrin Felix
Johanna Pedro Lucía Javier Carmen Diego Sofía João Inês Rafael Beatriz Lars Ingrid Erik Astrid Mikko Aino Noa
Yosef Tamar Kwame Amara Chidi Ngozi Tunde Zainab Emre Elif Can Zeynep Nikos Eleni Andreas Katarzyna Piotr""".split()
LAST_NAMES = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Zheng Liang Xie
Tang Han Feng Deng Cao Peng Zeng Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernández López González Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Kim Park Choi Jung Kang Cho Yoon
Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Sato Müller Schmidt Schneider Fischer Weber
Meyer Wagner Becker Schulz Hoffmann O'Brien O'Connor McDonald Dubois Lefèvre Moreau Rossi Russo Ferrari Esposito
Bianchi Nguyễn Trần Lê Phạm Kumar Singh Sharma Gupta Patel Reddy Iyer Rao Das Khan Ali Hassan Ivanov Petrov
Smirnov Kovačević Novák Dvořák Nowak Kowalski Wiśniewski Yılmaz Kaya Çelik Öztürk Ødegaard Jensen Nielsen Hansen
Andersson Johansson Karlsson Silva Santos Oliveira Souza Costa Pereira Abdul-Mageed Waheed Aji Wu-Chen
Papadopoulos Georgiou Okafor Adeyemi Mensah Cohen Levi Friedman Virtanen Korhonen Murphy Kelly Walsh""".split()
# Synthetic surnames widen the name space so that ~0.6 x papers distinct names exist.
_SUR_HEAD = """Berg Lind Holm Strand Eck Ross Hart Wood Ash Brook Fair Green Black White Stone Kov Nov Petr Ivan Jan
Mar Tor Vil Ros Al Bel Cal Dor Fal Gal Har Kal Lor Mor Nor Sal Tal Val Zan Kar""".split()
_SUR_TAIL = """son sen man berg strom ski ov ova enko escu elli etti ini ez az ides opoulos ic ović er ley ton well
wood field stein mann feld hof""".split()
LAST_NAMES = list(dict.fromkeys(LAST_NAMES + [h + t for h in _SUR_HEAD for t in _SUR_TAIL]))  # 'Ivan'+'ov' exists
MIDDLE_PARTS = [f"{c}." for c in "JAMRSDEKLCHPTBFGNW"] + "Fikri Maria Anne Jose Kumar Van De".split()
CJK_FAMILY = "李 王 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高".split()
CJK_GIVEN = "明 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 超 秀 霞 平 刚 英 华 玉 兰 飞 鹏 宇 浩 晨 欣 怡 婷 雪 琳 晶 妍 博 轩 然".split()
# Fixed unicode names at fixed popularity ranks, so every scale has them.
SHOWCASE_AUTHORS = {2: "José Müller", 5: "李明", 9: "Zoë O'Brien"}
SHOWCASE_NAMES = set(SHOWCASE_AUTHORS.values())

ORGS = ["facebookresearch", "google-research", "microsoft", "huggingface", "open-mmlab", "NVlabs", "openai",
        "deepmind", "tensorflow", "pytorch", "allenai", "salesforce", "alibaba", "tencent", "baidu", "apple",
        "amazon-science", "IBM", "intel", "mit-han-lab", "ylecun", "karpathy", "lucidrains", "rwightman"]
SHARED_REPOS = ["huggingface/transformers", "open-mmlab/mmdetection", "rwightman/pytorch-image-models",
                "lucidrains/vit-pytorch", "facebookresearch/fairseq", "tensorflow/models", "pytorch/vision",
                "PaddlePaddle/PaddleNLP", "mindspore-ai/models",
                "labmlai/annotated_deep_learning_paper_implementations"]
FRAMEWORKS = ["pytorch", "tf", "jax", "mxnet", "none", None]
FRAMEWORK_CW = cum([50, 20, 4, 2, 15, 9])

YEARS = list(range(2010, 2026))
YEAR_CW = cum([1.0, 1.2, 1.5, 1.9, 2.4, 3.0, 3.9, 5.2, 7.0, 9.0, 11.0, 12.5, 13.5, 14.5, 15.0, 8.0])
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
VERSION_CW = cum([50, 28, 12, 6, 4])
VENUES = [("NeurIPS", 12), ("ICML", 7), ("CVPR", 6), ("ICCV", 10), ("ECCV", 8), ("ICLR", 5), ("ACL", 7),
          ("EMNLP", 11), ("NAACL", 6), ("AAAI", 2), ("IJCAI", 8), ("COLING", 12), ("WACV", 1), ("Interspeech", 9)]

# Junk that downstream tools must survive: quotes, angle brackets, slashes, unicode, & and backslash.
JUNK_STYLES = [
    lambda n: f'{n} "Gold"',
    lambda n: f"{n} <unk>",
    lambda n: n.replace(" ", "/", 1) if " " in n else f"{n}/v2",
    lambda n: f"{n} – Ünïcödé 数据",
    lambda n: f"{n}'s \"Hard\" <Split>",
    lambda n: f"{n} & α/β",
    lambda n: f"{n} \\ Test",
]
TITLE_JUNK = ['"Quoted"', "<b>Bold</b>", "Image/Text", "Über", "naïve", "→", "—", "α-Divergence", "深度学习",
              "$\\ell_1$", "R&D", "C:\\path"]

AREAS = {
    "computer-vision": "Computer Vision",
    "natural-language-processing": "Natural Language Processing",
    "general": "General",
    "reinforcement-learning": "Reinforcement Learning",
    "graphs": "Graphs",
    "audio": "Audio",
    "sequential": "Sequential",
}
# collection -> (area_id, parent collection)
COLLECTIONS = {
    "Stochastic Optimization": ("general", None), "Regularization": ("general", None),
    "Activation Functions": ("general", None), "Output Functions": ("general", None),
    "Normalization": ("general", None), "Skip Connections": ("general", None),
    "Convolutions": ("computer-vision", None), "Pooling Operations": ("computer-vision", None),
    "Attention Mechanisms": ("general", "Attention"), "Attention Modules": ("general", "Attention"),
    "Transformers": ("natural-language-processing", "Language Models"),
    "Language Models": ("natural-language-processing", None),
    "Autoregressive Transformers": ("natural-language-processing", "Transformers"),
    "Convolutional Neural Networks": ("computer-vision", "Image Models"),
    "Image Models": ("computer-vision", None), "Recurrent Neural Networks": ("sequential", None),
    "Generative Models": ("general", None),
    "Generative Adversarial Networks": ("computer-vision", "Generative Models"),
    "Semantic Segmentation Models": ("computer-vision", "Segmentation Models"),
    "Object Detection Models": ("computer-vision", None),
    "Instance Segmentation Models": ("computer-vision", "Segmentation Models"),
    "Learning Rate Schedules": ("general", None), "Initialization": ("general", None),
    "Loss Functions": ("general", None), "Knowledge Distillation": ("general", None),
    "Graph Models": ("graphs", None), "Graph Embeddings": ("graphs", None),
    "Policy Gradient Methods": ("reinforcement-learning", None),
    "Q-Learning Networks": ("reinforcement-learning", "Off-Policy TD Control"),
    "Image Representations": ("computer-vision", None), "Word Embeddings": ("natural-language-processing", None),
    "Feedforward Networks": ("general", None), "Image Data Augmentation": ("computer-vision", None),
    "Subword Segmentation": ("natural-language-processing", None), "Position Embeddings": ("general", None),
    "Speech Synthesis Models": ("audio", None), "Audio Model Blocks": ("audio", None),
    "Graph Representation Learning": ("graphs", None), "Self-Supervised Learning": ("computer-vision", None),
    "Quantization": ("general", None), "Pruning": ("general", None),
}
COLLECTION_NAMES = list(COLLECTIONS)
FAMOUS_METHODS = [  # (name, full_name, collection)
    ("Adam", "Adam", "Stochastic Optimization"), ("SGD", "Stochastic Gradient Descent", "Stochastic Optimization"),
    ("Dropout", "Dropout", "Regularization"), ("ReLU", "Rectified Linear Units", "Activation Functions"),
    ("Softmax", "Softmax", "Output Functions"), ("Batch Normalization", "Batch Normalization", "Normalization"),
    ("Residual Connection", "Residual Connection", "Skip Connections"),
    ("Convolution", "Convolution", "Convolutions"), ("Layer Normalization", "Layer Normalization", "Normalization"),
    ("Multi-Head Attention", "Multi-Head Attention", "Attention Modules"),
    ("Scaled Dot-Product Attention", "Scaled Dot-Product Attention", "Attention Mechanisms"),
    ("Transformer", "Transformer", "Transformers"), ("GELU", "Gaussian Error Linear Units", "Activation Functions"),
    ("1x1 Convolution", "1x1 Convolution", "Convolutions"), ("Max Pooling", "Max Pooling", "Pooling Operations"),
    ("Dense Connections", "Dense Connections", "Feedforward Networks"),
    ("Weight Decay", "Weight Decay", "Regularization"), ("AdamW", "AdamW", "Stochastic Optimization"),
    ("ResNet", "Residual Network", "Convolutional Neural Networks"),
    ("LSTM", "Long Short-Term Memory", "Recurrent Neural Networks"),
    ("Average Pooling", "Average Pooling", "Pooling Operations"),
    ("Global Average Pooling", "Global Average Pooling", "Pooling Operations"),
    ("BERT", "BERT", "Language Models"), ("Label Smoothing", "Label Smoothing", "Regularization"),
    ("Linear Warmup With Linear Decay", "Linear Warmup With Linear Decay", "Learning Rate Schedules"),
    ("Attention Dropout", "Attention Dropout", "Regularization"),
    ("Feedforward Network", "Feedforward Network", "Feedforward Networks"),
    ("Cosine Annealing", "Cosine Annealing", "Learning Rate Schedules"),
    ("Kaiming Initialization", "Kaiming Initialization", "Initialization"),
    ("GAN", "Generative Adversarial Network", "Generative Adversarial Networks"),
    ("VAE", "Variational Autoencoder", "Generative Models"),
    ("GRU", "Gated Recurrent Unit", "Recurrent Neural Networks"),
    ("U-Net", "U-Net", "Semantic Segmentation Models"),
    ("Faster R-CNN", "Faster R-CNN", "Object Detection Models"),
    ("Mask R-CNN", "Mask R-CNN", "Instance Segmentation Models"),
    ("ViT", "Vision Transformer", "Image Models"), ("T5", "T5", "Transformers"),
    ("GPT-2", "GPT-2", "Autoregressive Transformers"), ("Focal Loss", "Focal Loss", "Loss Functions"),
    ("Knowledge Distillation", "Knowledge Distillation", "Knowledge Distillation"),
    ("GCN", "Graph Convolutional Network", "Graph Models"), ("GAT", "Graph Attention Network", "Graph Models"),
    ("PPO", "Proximal Policy Optimization", "Policy Gradient Methods"),
    ("DQN", "Deep Q-Network", "Q-Learning Networks"),
    ("CLIP", "Contrastive Language-Image Pre-training", "Image Representations"),
    ("Word2Vec", "Word2Vec", "Word Embeddings"), ("Mixup", "Mixup", "Image Data Augmentation"),
    ("BPE", "Byte Pair Encoding", "Subword Segmentation"), ("WordPiece", "WordPiece", "Subword Segmentation"),
    ("Absolute Position Encodings", "Absolute Position Encodings", "Position Embeddings"),
    ("Xavier Initialization", "Xavier Initialization", "Initialization"),
    ("Random Erasing", "Random Erasing", "Image Data Augmentation"),
    ("Sigmoid Activation", "Sigmoid Activation", "Activation Functions"),
    ("Tanh Activation", "Tanh Activation", "Activation Functions"),
    ("Tacotron", "Tacotron", "Speech Synthesis Models"), ("SimCLR", "SimCLR", "Self-Supervised Learning"),
]
METHOD_ADJ = """Adaptive Sparse Gated Dynamic Residual Dilated Depthwise Spatial Channel Temporal Hierarchical
Deformable Stochastic Contrastive Masked Graph Local Global Cross Self Multi-Scale Lightweight Efficient Recurrent
Variational Probabilistic Invertible Equivariant Neural Linear Kernel Relative Rotary Axial Shifted Soft Hard
Group Instance Spectral Orthogonal Noisy Momentum Lookahead Grouped Factorized Decoupled""".split()
METHOD_MID = [  # (mechanism, collection)
    ("Attention", "Attention Modules"), ("Convolution", "Convolutions"), ("Normalization", "Normalization"),
    ("Pooling", "Pooling Operations"), ("Embedding", "Position Embeddings"), ("Dropout", "Regularization"),
    ("Activation", "Activation Functions"), ("Routing", "Feedforward Networks"), ("Gating", "Feedforward Networks"),
    ("Encoding", "Position Embeddings"), ("Aggregation", "Graph Models"), ("Sampling", "Generative Models"),
    ("Quantization", "Quantization"), ("Pruning", "Pruning"), ("Distillation", "Knowledge Distillation"),
    ("Augmentation", "Image Data Augmentation"), ("Regularization", "Regularization"),
    ("Optimization", "Stochastic Optimization"), ("Warmup", "Learning Rate Schedules"),
    ("Decay", "Learning Rate Schedules"), ("Fusion", "Attention Mechanisms"), ("Alignment", "Loss Functions"),
    ("Projection", "Feedforward Networks"), ("Tokenization", "Subword Segmentation"),
    ("Message Passing", "Graph Representation Learning"), ("Feature Pyramid", "Image Models"),
    ("Memory", "Recurrent Neural Networks"), ("Transformer", "Transformers"), ("Autoencoder", "Generative Models"),
    ("Policy", "Policy Gradient Methods"), ("Vocoder", "Audio Model Blocks"),
]
METHOD_TAIL = ["", "Module", "Block", "Layer", "Network", "Unit", "Mechanism", "Head", "Loss", "Scheme",
               "Strategy", "Operator"]

# Core tasks with their area (the categories of evaluation-table tasks).
CORE_TASKS = [
    ("Image Classification", "Computer Vision"), ("Object Detection", "Computer Vision"),
    ("Semantic Segmentation", "Computer Vision"), ("Question Answering", "Natural Language Processing"),
    ("Language Modelling", "Natural Language Processing"), ("Machine Translation", "Natural Language Processing"),
    ("Instance Segmentation", "Computer Vision"), ("Pose Estimation", "Computer Vision"),
    ("Sentiment Analysis", "Natural Language Processing"), ("Named Entity Recognition", "Natural Language Processing"),
    ("Speech Recognition", "Speech"), ("Node Classification", "Graphs"), ("Link Prediction", "Graphs"),
    ("Image Generation", "Computer Vision"), ("Text Classification", "Natural Language Processing"),
    ("Natural Language Inference", "Natural Language Processing"), ("Atari Games", "Playing Games"),
    ("Continuous Control", "Playing Games"), ("Time Series Forecasting", "Time Series"),
    ("Medical Image Segmentation", "Medical"), ("Action Recognition", "Computer Vision"),
    ("Image Super-Resolution", "Computer Vision"), ("Depth Estimation", "Computer Vision"),
    ("Visual Question Answering", "Computer Vision"), ("Image Captioning", "Computer Vision"),
    ("Text Summarization", "Natural Language Processing"), ("Reading Comprehension", "Natural Language Processing"),
    ("Common Sense Reasoning", "Natural Language Processing"),
    ("Coreference Resolution", "Natural Language Processing"),
    ("Word Sense Disambiguation", "Natural Language Processing"),
    ("Sentence Completion", "Natural Language Processing"),
    ("Dependency Parsing", "Natural Language Processing"), ("Relation Extraction", "Natural Language Processing"),
    ("Text Generation", "Natural Language Processing"), ("Code Generation", "Computer Code"),
    ("Graph Classification", "Graphs"), ("Graph Regression", "Graphs"), ("Molecular Property Prediction", "Medical"),
    ("Anomaly Detection", "Methodology"), ("Domain Adaptation", "Methodology"), ("Image Retrieval", "Computer Vision"),
    ("Face Recognition", "Computer Vision"), ("Face Verification", "Computer Vision"),
    ("Person Re-Identification", "Computer Vision"), ("Multi-Object Tracking", "Computer Vision"),
    ("Video Object Segmentation", "Computer Vision"), ("3D Object Detection", "Computer Vision"),
    ("Point Cloud Classification", "Computer Vision"), ("Optical Flow Estimation", "Computer Vision"),
    ("Image Denoising", "Computer Vision"), ("Image Inpainting", "Computer Vision"),
    ("Text-to-Image Generation", "Computer Vision"), ("Speech Synthesis", "Speech"),
    ("Speaker Verification", "Speech"), ("Audio Classification", "Audio"), ("Music Generation", "Music"),
    ("Recommendation Systems", "Miscellaneous"), ("Knowledge Graph Completion", "Knowledge Base"),
    ("Entity Linking", "Natural Language Processing"), ("Dialogue Generation", "Natural Language Processing"),
    ("Crowd Counting", "Computer Vision"), ("Scene Text Recognition", "Computer Vision"),
    ("Image-to-Image Translation", "Computer Vision"), ("Lane Detection", "Computer Vision"),
    ("Trajectory Prediction", "Time Series"), ("Traffic Prediction", "Time Series"),
    ("Mathematical Reasoning", "Reasoning"), ("Arithmetic Reasoning", "Reasoning"),
    ("Open-Domain Question Answering", "Natural Language Processing"), ("Cross-Modal Retrieval", "Computer Vision"),
    ("Drug Discovery", "Medical"), ("Protein Structure Prediction", "Medical"),
    ("Skin Lesion Classification", "Medical"),
    ("Visual Navigation", "Robots"), ("Robotic Grasping", "Robots"), ("Tabular Classification", "Miscellaneous"),
]
MODIFIERS = """Few-Shot Zero-Shot Semi-Supervised Unsupervised Self-Supervised Weakly-Supervised Fine-Grained
Long-Tailed Cross-Lingual Multilingual 3D Real-Time Online Multi-Label Multi-Modal Video Audio-Visual
Low-Resource Domain-Adaptive Incremental Continual Federated Adversarial Robust Interpretable Panoptic
Generalized Open-Vocabulary Open-Set Test-Time Efficient Document Conversational Multi-Hop Extractive
Abstractive Unpaired Blind Monocular Stereo Hyperspectral Satellite Aerial Underwater Night-Time Egocentric
Temporal Spatio-Temporal Dense Hierarchical Structured Multi-Task Cross-Domain Class-Incremental Source-Free
Noisy-Label Imbalanced Streaming Lifelong Privacy-Preserving Large-Scale Small-Data Interactive
Contrastive Transductive Inductive Multi-View Single-Image Text-Guided""".split()
SUBTASK_SUFFIXES = ["in the Wild", "with Noisy Labels", "under Distribution Shift", "from Scratch",
                    "for Low-Resource Languages", "with Limited Data", "on Edge Devices"]

FAMOUS_DATASETS = """ImageNet|COCO|CIFAR-10|CIFAR-100|MNIST|SQuAD1.1|SQuAD2.0|GLUE|SST-2|MultiNLI|WikiText-103
|Penn Treebank|enwik8|text8|LibriSpeech test-clean|Cityscapes|ADE20K|PASCAL VOC 2012|KITTI|nuScenes|Kinetics-400
|UCF101|HMDB51|MS MARCO|Natural Questions|TriviaQA|HotpotQA|CoNLL 2003 (English)|OntoNotes v5 (English)
|WMT2014 English-German|WMT2014 English-French|CelebA|FFHQ|LSUN Bedroom|Cora|Citeseer|PubMed|ogbn-arxiv|QM9
|ZINC|MovieLens 1M|Amazon Book|PIQA|HellaSwag|WinoGrande|OpenBookQA|BoolQ|MMLU|GSM8K|HumanEval|MBPP
|Human3.6M|MPII Human Pose|3DPW|LFW|VoxCeleb1|AudioSet|ESC-50|Set5 - 4x upscaling|Set14 - 4x upscaling|BSD100
|Urban100|DIV2K|ShapeNet|ModelNet40|ScanNet|S3DIS|SemanticKITTI|Visual Genome|VQA v2 test-dev|GQA|Flickr30k
|MSR-VTT|ActivityNet|CUB-200-2011|Stanford Cars|Oxford 102 Flowers|Food-101|SVHN|Fashion-MNIST|STL-10
|Tiny ImageNet|iNaturalist 2018|Places365|WSC|WiC|ARC (Challenge)|RACE|CommonsenseQA|SNLI|CoQA|DROP|XSum
|CNN / Daily Mail|Gigaword|WebQuestionsSP|FB15k-237|WN18RR|ogbl-collab|PROTEINS|MUTAG|IMDb|AG News|Yelp Review
|DBpedia|TREC-6|ETTh1|Weather|Traffic|Electricity|CheXpert|BraTS 2018|ISIC 2018|LIDC-IDRI|MIMIC-III""".replace(
    "\n", "").split("|")
DATASET_STEMS = """Ko Ra Vi Med Geo Open Multi Wiki Sci Bio Chem News Web Auto Drive Scene Speech Sound Text Doc Table
Code Math Chart Sketch Face Hand Body Road Aerial Sat Cell Brain Lung Retina Food Bird Car Plant Insect Fish Ocean
Sky Urban Rural Legal Fin Clinic Social Meme Art Music Game Robo Nav Home Kitchen Street""".split()
DATASET_PARTS = """QA Net Bench Set Seg NLI Caps Dial VQA Track Pose Depth Flow Stereo 3D Sum Gen Ret Rec Eval Hub Base
Corpus Bank Vox Talk Read Sense Lex Graph Mol Scan Cam View Det Ins""".split()
DATASET_SUFFIXES = ["", "", "", "", "-10k", " v2", "-2", "++", " 2020", " 2022", "-XL", "-Mini", " (English)", "-1M",
                    "-C", "-LT", "-O", "-Hard", " Test"]
MODALITIES = ["Images", "Texts", "Videos", "Audio", "Speech", "Graphs", "Tabular", "3D", "Point cloud", "Medical",
              "Time series", "RGB-D", "Environment", "Biomedical", "Interactive"]
MODALITY_CW = cum([30, 28, 8, 4, 4, 5, 3, 3, 2, 4, 3, 1, 2, 2, 1])
LANGUAGES = ["English", "Chinese", "German", "French", "Spanish", "Japanese", "Arabic", "Russian", "Hindi",
             "Portuguese", "Korean", "Italian", "Vietnamese", "Swahili", "Turkish"]
SUBDATASET_VARIANTS = ["test", "val", "dev", "test-dev", "Hard", "Easy", "Medium", "1-shot", "5-shot", "10% labeled",
                       "1% labeled", "5-way 1-shot", "Clean", "Other", "x2", "x4", "zero-shot", "fine-tuned"]

# Metric name -> (low, high, direction (+1 higher is better, -1 lower is better, 0 none), decimals, kind)
METRIC_SPECS = {}
for _names, _spec in [
    ("Accuracy|Top-1 Accuracy|Top 1 Accuracy|F1|EM|Exact Match|Macro-F1|Micro-F1|Pixel Accuracy|Test Accuracy"
     "|Validation Accuracy|Precision|Recall|Success Rate|PCK|Dice Score|Sensitivity|Specificity|Hits@10|AR",
     (10.0, 99.5, 1, 2, "num")),
    ("Top-5 Accuracy", (70.0, 99.9, 1, 2, "num")), ("mIoU|Mean IoU", (20.0, 90.0, 1, 1, "num")),
    ("mAP|AP|box AP|APM|APL|mAP@100|Hits@1|Recall@1", (5.0, 80.0, 1, 1, "num")),
    ("AP50|Recall@5|Recall@10", (30.0, 95.0, 1, 1, "num")), ("AP75|APS", (5.0, 70.0, 1, 1, "num")),
    ("AUC|ROC-AUC|AUROC", (0.5, 0.999, 1, 4, "num")), ("MRR|NDCG@10|Kappa", (0.1, 0.9, 1, 3, "num")),
    ("SSIM", (0.5, 0.99, 1, 4, "num")), ("Spearman Correlation|Pearson Correlation|R2", (0.2, 0.97, 1, 3, "num")),
    ("LPIPS", (0.01, 0.6, -1, 4, "num")), ("BLEU|SacreBLEU|BLEU score|BLEU-1", (5.0, 50.0, 1, 2, "num")),
    ("chrF|BERTScore", (20.0, 92.0, 1, 2, "num")), ("METEOR", (10.0, 50.0, 1, 2, "num")),
    ("ROUGE-1", (20.0, 50.0, 1, 2, "num")), ("ROUGE-2", (5.0, 25.0, 1, 2, "num")),
    ("ROUGE-L", (15.0, 45.0, 1, 2, "num")), ("PSNR", (20.0, 40.0, 1, 2, "num")),
    ("FID|KID", (1.5, 150.0, -1, 2, "num")), ("IS|Inception score", (5.0, 300.0, 1, 2, "num")),
    ("WER|Test WER|Word Error Rate (WER)", (1.5, 40.0, -1, 2, "num")), ("CER", (0.5, 20.0, -1, 2, "num")),
    ("RTF|Runtime (s)", (0.01, 5.0, -1, 3, "num")),
    ("Perplexity|Test perplexity|Validation perplexity", (8.0, 200.0, -1, 2, "num")),
    ("Bits per Character|BPC", (0.9, 1.6, -1, 3, "num")), ("Bits per dim", (2.2, 4.0, -1, 2, "num")),
    ("MAE|RMSE|MAPE", (0.1, 30.0, -1, 3, "num")), ("MSE", (0.01, 5.0, -1, 4, "num")),
    ("MPJPE|PA-MPJPE", (20.0, 120.0, -1, 1, "num")), ("NME|EER", (0.5, 15.0, -1, 2, "num")),
    ("Error rate|Percentage error|Top-1 Error Rate", (0.5, 40.0, -1, 2, "num")),
    ("Hausdorff distance|TER", (2.0, 70.0, -1, 2, "num")), ("Score", (0.0, 10000.0, 1, 1, "num")),
    ("Average Return|Mean Reward", (-500.0, 12000.0, 1, 1, "num")),
    ("Human-normalized score", (10.0, 1000.0, 1, 1, "num")), ("Steps|FPS", (5.0, 500.0, 1, 1, "num")),
    ("Inference time (ms)", (1.0, 500.0, -1, 1, "num")), ("GFLOPs", (0.1, 1000.0, 0, 1, "num")),
    ("Params|Number of params", (1e6, 2e11, 0, 1, "params")), ("FLOPs", (1e8, 1e13, 0, 1, "flops")),
    ("Params (M)", (1.0, 2000.0, 0, 1, "num")),
]:
    for _n in _names.split("|"):
        METRIC_SPECS[_n] = _spec
METRIC_FAMILIES = [f.split("|") for f in [
    "Top-1 Accuracy|Top-5 Accuracy|Params|GFLOPs|Top 1 Accuracy|Number of params|Inference time (ms)",
    "Accuracy|F1|Precision|Recall|Macro-F1|Micro-F1|Params (M)",
    "EM|F1|Exact Match|Accuracy|ROUGE-L|BLEU-1",
    "BLEU|SacreBLEU|BLEU score|chrF|METEOR|TER",
    "ROUGE-1|ROUGE-2|ROUGE-L|BERTScore|METEOR|BLEU",
    "mAP|box AP|AP50|AP75|APS|APM|APL|FPS",
    "mIoU|Mean IoU|Pixel Accuracy|Dice Score|Hausdorff distance|Params|FLOPs",
    "FID|IS|Inception score|Precision|Recall|KID",
    "PSNR|SSIM|LPIPS|MSE|Params|Runtime (s)",
    "WER|CER|Test WER|Word Error Rate (WER)|RTF|Params",
    "Perplexity|Test perplexity|Validation perplexity|Params|Number of params|Bits per Character|BPC",
    "Bits per Character|BPC|Bits per dim|Params|Number of params|Test perplexity",
    "MAE|RMSE|MSE|MAPE|R2|Pearson Correlation",
    "Recall@1|Recall@5|Recall@10|MRR|NDCG@10|mAP@100|Hits@1|Hits@10",
    "Accuracy|Test Accuracy|Validation Accuracy|ROC-AUC|Number of params|F1",
    "Score|Average Return|Human-normalized score|Mean Reward|Success Rate|Steps",
    "PCK|MPJPE|PA-MPJPE|AP|AR|NME",
    "AUC|AUROC|Sensitivity|Specificity|Dice Score|EER",
    "Error rate|Percentage error|Accuracy|Top-1 Error Rate|Params|FLOPs",
    "Spearman Correlation|Pearson Correlation|Accuracy|Kappa|F1|MAE",
]]
# The long tail real tables show: about half the distinct metric names of real files are none of the above.
# Split and catch-all columns (their direction is the table's own), per-dataset and per-domain columns beside
# a known metric, and names of their own (each with its direction, which only dated results tell).
GENERIC_COLUMNS = ["Dev", "Test", "Overall", "All", "Average", "Validation", "Score", "In-domain", "Out-of-domain"]
DOMAIN_COLUMNS = ["Books", "DVD", "Electronics", "Kitchen", "News", "Web", "Forum", "Legal", "Medical", "Wiki",
                  "SemEval 2013", "SemEval 2015", "Senseval 2", "Senseval 3", "RACE-h", "RACE-m", "Food", "Price"]
TAIL_TABLES = 0.3  # share of leaderboards with long-tail columns
SLIP_RATE = 0.001  # share of percentage values written as a fraction (a scale slip)


def _tail_names(n: int) -> list[str]:
    rng = random.Random(20250724)
    letters = "ABCDEFGHJKLMNPRSTVWXZ"
    suffixes = ["", "", "", "@5", "-R", " (dev)", " score", "-2", " v2", "+"]
    out: list[str] = []
    while len(out) < n:
        name = "".join(rng.choice(letters) for _ in range(rng.choice((2, 3, 3, 4)))) + rng.choice(suffixes)
        if name not in out and name.upper() not in {"AP", "AR", "MAE", "MSE", "FID", "KID", "WER", "CER", "EER"}:
            out.append(name)
    return out


TAIL_NAMES = _tail_names(1500)
TAIL_CW = cum(r ** -1.1 for r in range(1, len(TAIL_NAMES) + 1))
for _i, _n in enumerate(TAIL_NAMES):  # 3 in 4 higher is better, from ranges real columns have
    METRIC_SPECS.setdefault(_n, (5.0, 95.0, 1 if _i % 4 else -1, 2, "num"))
METRICS_PER_TABLE_CW = cum([42, 27, 13, 9, 5, 4])  # 1..6; the plan then corrects the total exactly
TABLE_SIZES = list(range(1, 1501))
TABLE_SIZE_CW = cum(r ** -2.0 for r in TABLE_SIZES)  # Zipf: most 1-10 rows, a few with 500-1,500
QUIRKS = ["pct", "dot", "pm", "mega", "giga", "slash", "dash", "uminus", "uminus_num", "dashstar", "empty", "yes"]
QUIRK_RATE = 0.005 * len(QUIRKS)  # ~0.5% of values each

MODEL_BASES = [
    ("ResNet", ["-18", "-34", "-50", "-101", "-152"]), ("ResNeXt", ["-50 32x4d", "-101 64x4d"]),
    ("EfficientNet", ["-B0", "-B3", "-B7", "-L2"]), ("ViT", ["-B/16", "-L/16", "-H/14"]),
    ("DeiT", ["-S", "-B", "-B 384"]), ("Swin", ["-T", "-S", "-B", "-L"]), ("ConvNeXt", ["-T", "-B", "-XL"]),
    ("BERT", ["-Base", "-Large", "-Large 340M", "-Base 110M"]), ("RoBERTa", ["-Base", "-Large"]),
    ("XLNet", ["-Large", ""]), ("T5", ["-Small", "-Base", "-Large 738M", "-3B", "-11B"]),
    ("GPT-2", ["-XL 1.5B", " 117M", "-Medium"]), ("GPT-3", [" 175B", " 6.7B (few-shot)", " (zero-shot)"]),
    ("LLaMA", [" 7B", " 13B", " 65B", "-2 70B"]), ("FLAN-T5", ["-Large 783M", "-XL 3B"]),
    ("Faster R-CNN", [" (ResNet-101)", " + FPN"]), ("Mask R-CNN", [" (ResNet-50-FPN)", " X-101"]),
    ("YOLOv", ["3", "4", "5-L", "7", "8x"]), ("DETR", ["", "-R101", "-DC5"]), ("U-Net", ["", "++", " (3D)"]),
    ("DeepLabv3+", ["", " (Xception-71)"]), ("LSTM", ["", " (2 layers)", " + attention"]),
    ("Transformer", [" (big)", " (base)", "-XL", " + BT"]), ("wav2vec 2.0", [" Large", " Base"]),
    ("Conformer", ["-L", "-M"]), ("GCN", ["", " + dropout"]), ("GAT", [""]), ("GraphSAGE", [""]),
    ("PPO", [""]), ("DQN", ["", " (Nature)"]), ("Rainbow", [""]), ("StyleGAN", ["2", "3", "-XL"]),
    ("DDPM", ["", " (large)"]), ("Stable Diffusion", [" v1.5", " XL"]), ("CLIP", [" ViT-L/14", " RN50"]),
    ("SimCLR", ["", " (4x)"]), ("MoCo", [" v2", " v3"]), ("XGBoost", [""]), ("Random Forest", [""]),
    ("SVM", ["", " (RBF)"]), ("HRNet", ["-W32", "-W48"]), ("PointNet", ["", "++"]), ("NeRF", [""]),
    ("SwinIR", [""]), ("EDSR", [""]),
]
GENERIC_MODELS = ["Baseline", "Ours", "Single model"]
MODEL_DECOR = ["", "", "", "", "", "", " (ensemble)", " + extra data", " †", " (single)", " (reproduced)"]
PUBLISHER_URLS = [
    "https://openaccess.thecvf.com/content/CVPR{y}/html/{s}_CVPR_{y}_paper.html",
    "https://aclanthology.org/{y}.acl-long.{n}/",
    "https://proceedings.neurips.cc/paper/{y}/hash/{h}-Abstract.html",
    "https://ieeexplore.ieee.org/document/{n7}",
    "https://link.springer.com/chapter/10.1007/978-3-030-{n5}-{n}_{n2}",
    "https://www.sciencedirect.com/science/article/pii/S{n7}{n7}",
    "https://dl.acm.org/doi/10.1145/{n7}.{n7}",
    "https://openreview.net/forum?id={o}",
]


# ----------------------------------------------------------------------------- text helpers


def make_model_name(rng: random.Random) -> str:
    """A made-up model name such as 'LaMini-LM' or 'SwinMixer++'."""
    head = rng.choice(NAME_HEAD)
    tail = rng.choice(NAME_TAIL)
    sep = "-" if rng.random() < 0.35 else ""
    return f"{head}{sep}{tail}{rng.choice(NAME_SUFFIX)}"


def make_title(rng: random.Random) -> str:
    """A title of 6-15 words: an optional 'Name:' prefix, then adjective-noun phrases joined by prepositions."""
    n = rng.randint(6, 15)
    words: list[str] = []
    if rng.random() < 0.3:
        words.append(make_model_name(rng) + ":")
    if rng.random() < 0.25:
        words.extend(rng.choice(TITLE_STARTERS).split())
    while len(words) < n + 2:
        if rng.random() < 0.6:
            words.append(rng.choice(TITLE_ADJ))
        words.append(rng.choice(TITLE_NOUN))
        words.append(rng.choice(TITLE_PREP))
        if rng.random() < 0.5:
            words.extend(rng.choice(TITLE_DOMAIN).split())
    words = words[:n]
    while words[-1] in TITLE_SMALL or words[-1] in TITLE_ADJ_SET or words[-1].endswith(":"):
        words[-1] = rng.choice(TITLE_NOUN)
    if rng.random() < 0.003:  # junk titles: quotes, markup, slashes, unicode
        words[rng.randrange(len(words))] = rng.choice(TITLE_JUNK)
    if rng.random() < 0.25:  # sentence case instead of Title Case
        words = [words[0]] + [w.lower() if w.istitle() and "-" not in w else w for w in words[1:]]
    return " ".join(words)


def make_text(rng: random.Random, lo: int, hi: int, starters: bool = True) -> str:
    """Sentences of Zipf-distributed words, about lo..hi words in all."""
    n = rng.randint(lo, hi)
    words = rng.choices(ABSTRACT_VOCAB, cum_weights=ABSTRACT_CW, k=n)
    sentences = []
    i = 0
    while i < n:
        length = rng.randint(10, 28)
        chunk = " ".join(words[i:i + length])
        i += length
        if starters and (not sentences or rng.random() < 0.25):
            chunk = f"{rng.choice(ABSTRACT_STARTERS)} {chunk}"
        sentences.append(chunk[0].upper() + chunk[1:] + ".")
    return " ".join(sentences)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def make_date(rng: random.Random, year: int | None = None) -> str:
    year = year or pick(rng, YEARS, YEAR_CW)
    month = rng.randint(1, 7 if year == 2025 else 12)
    return f"{year}-{month:02d}-{rng.randint(1, MONTH_DAYS[month - 1]):02d}"


def github_repo(rng: random.Random, owner_hint: str, name_hint: str) -> str:
    owner = owner_hint if rng.random() < 0.7 else rng.choice(ORGS)
    return f"{owner}/{name_hint}"


def handle_of(name: str) -> str:
    """A GitHub-like handle from a person's name (non-ASCII letters drop out)."""
    h = slugify(name).replace("-", "")[:15]
    return h if h != "untitled" else "user"


# ----------------------------------------------------------------------------- papers


class PaperRef(NamedTuple):
    """The identity fields of one paper, the ones other files repeat."""

    title: str
    slug: str
    arxiv_id: str | None
    version: int
    date: str | None
    year: int

    @property
    def url(self) -> str:
        return f"{PWC}paper/{self.slug}"

    @property
    def url_abs(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv_id}v{self.version}" if self.arxiv_id else None

    @property
    def url_pdf(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.arxiv_id}v{self.version}.pdf" if self.arxiv_id else None


class PaperIndex:
    """Paper i's identity (title, slug, arXiv id, date) as a pure function of (seed, i).

    Code links, methods, datasets and leaderboard rows point at random papers; recomputing an
    identity (~15 us) is cheaper than holding 576k papers in memory. One pre-pass finds slug and
    arXiv-id collisions and keeps only their fixes (a few thousand entries).
    """

    def __init__(self, seed: int, n: int):
        self.n = n
        self._key = derive_seed(seed, "paper-identity") << 32
        self._fixes: dict[int, tuple[str, str | None]] = {}
        self._dedupe()

    def _base(self, i: int) -> PaperRef:
        rng = random.Random(self._key + i)
        title = make_title(rng)
        year = pick(rng, YEARS, YEAR_CW)
        month = rng.randint(1, 7 if year == 2025 else 12)
        day = rng.randint(1, MONTH_DAYS[month - 1])
        date = f"{year}-{month:02d}-{day:02d}" if rng.random() >= 0.05 else None
        arxiv = None
        if rng.random() < 0.85:  # arXiv ids: YYMM.NNNN before 2015, YYMM.NNNNN since
            if year < 2015:
                arxiv = f"{year % 100:02d}{month:02d}.{rng.randint(1, 9999):04d}"
            else:
                arxiv = f"{year % 100:02d}{month:02d}.{rng.randint(1, 24999):05d}"
        version = pick(rng, (1, 2, 3, 4, 5), VERSION_CW)
        return PaperRef(title, slugify(title, 45), arxiv, version, date, year)

    def _dedupe(self) -> None:
        slugs: set[int] = set()
        arxivs: set[int] = set()
        for i in range(self.n):
            p = self._base(i)
            slug, k, h = p.slug, 0, h64(p.slug)
            while h in slugs:
                k += 1
                slug = f"{p.slug}-{k}"
                h = h64(slug)
            slugs.add(h)
            arxiv = self._free_arxiv(p.arxiv_id, arxivs) if p.arxiv_id else None
            if slug != p.slug or arxiv != p.arxiv_id:
                self._fixes[i] = (slug, arxiv)

    @staticmethod
    def _free_arxiv(arxiv: str, taken: set[int]) -> str | None:
        """The id itself or the next free number in its month (None if the month is full)."""
        prefix, num = arxiv.split(".")
        width = len(num)
        cap = 10 ** width - 1
        n = int(num)
        for _ in range(cap):
            key = int(prefix) * 100_000 + n
            if key not in taken:
                taken.add(key)
                return f"{prefix}.{n:0{width}d}"
            n = n % cap + 1
        return None

    def get(self, i: int) -> PaperRef:
        p = self._base(i)
        fix = self._fixes.get(i)
        return p._replace(slug=fix[0], arxiv_id=fix[1]) if fix else p

    def random(self, rng: random.Random) -> PaperRef:
        return self.get(rng.randrange(self.n))


class AuthorPool:
    """~0.6 x papers distinct names; author j's popularity falls off like a power law of j."""

    def __init__(self, size: int):
        self.size = size
        # multipliers coprime with the moduli turn popularity rank j into a scattered name index k,
        # and k into scattered (first, last) pairs, so even a small pool uses many first names
        self._mult = coprime(1_000_003, size)
        self._pairs = len(FIRST_NAMES) * len(LAST_NAMES)
        self._pair_mult = coprime(7_919, self._pairs)

    def name(self, j: int) -> str:
        if j in SHOWCASE_AUTHORS:
            return SHOWCASE_AUTHORS[j]
        name = self._natural((j * self._mult + 7) % self.size)
        if name in SHOWCASE_NAMES:  # keep the showcase names unique: 'Q.' and '子' are used nowhere else
            name = name + "子" if " " not in name else name.replace(" ", " Q. ", 1)
        return name

    def _natural(self, k: int) -> str:
        if k % 41 == 3:  # ~2.4% written in Chinese characters: a family name, then 1+ given characters
            family, g = divmod(k // 41, len(CJK_FAMILY))
            return CJK_FAMILY[g] + "".join(bijective(family, CJK_GIVEN))
        mid, pair = divmod(k, self._pairs)
        pair = pair * self._pair_mult % self._pairs
        first, last = FIRST_NAMES[pair % len(FIRST_NAMES)], LAST_NAMES[pair // len(FIRST_NAMES)]
        if not mid:
            return f"{first} {last}"
        return f"{first} {' '.join(bijective(mid - 1, MIDDLE_PARTS))} {last}"

    def draw(self, rng: random.Random) -> list[str]:
        n = pick(rng, range(1, 13), AUTHOR_COUNT_CW)
        return [self.name(j) for j in distinct(rng, self.size, n, 0.5)]


AUTHOR_COUNT_CW = cum([8, 14, 16, 15, 12, 9, 7, 5, 4, 3, 2, 2])


def bijective(n: int, symbols: list[str]) -> list[str]:
    """n >= 0 written in bijective base len(symbols): every n a different, non-empty sequence."""
    out = [symbols[n % len(symbols)]]
    n //= len(symbols)
    while n:
        n -= 1
        out.append(symbols[n % len(symbols)])
        n //= len(symbols)
    return out


def coprime(m: int, n: int) -> int:
    """The first odd number from m on that shares no factor with n."""
    m |= 1
    while math.gcd(m, n) != 1:
        m += 2
    return m


class LinkPlanner:
    """How many code links each paper gets, decided paper by paper, so the total is exact.

    Selection sampling picks exactly `with_code` papers; the extra links (papers with several
    repositories) are spread with a rate that adapts to what is left.
    """

    def __init__(self, papers: int, links: int):
        self.papers_left = papers
        self.with_code_left = min(papers, links, max(1, round(links * 0.62)))
        self.extra_left = links - self.with_code_left

    def take(self, rng: random.Random) -> int:
        n = self.papers_left
        self.papers_left -= 1
        if not self.with_code_left or rng.random() * n >= self.with_code_left:
            return 0
        self.with_code_left -= 1
        if not self.with_code_left:
            extra = self.extra_left  # the last paper with code takes what is left
        else:
            mean = self.extra_left / (self.with_code_left + 1)
            extra = 0
            if mean > 0 and rng.random() < min(1.0, mean / 2.0):
                extra = min(self.extra_left, 1 + int(rng.expovariate(1 / 1.5)))
        self.extra_left -= extra
        return 1 + extra


def make_proceeding(rng: random.Random, p: PaperRef) -> dict:
    """The conference fields of a paper also published at a venue (~15% of papers)."""
    venue, month = rng.choice(VENUES)
    if rng.random() < 0.3:
        month = rng.randint(1, 12)
    year = p.year
    proceeding = f"{venue} {year} {month}" if rng.random() < 0.5 else f"{venue.lower()}-{year}-{month}"
    openreview = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=10))
    hexid = "%032x" % rng.getrandbits(128)
    if venue in ("CVPR", "ICCV", "WACV"):
        stem = "_".join(p.slug.split("-")[:5]).title()
        url_abs = f"http://openaccess.thecvf.com/content_{venue}_{year}/html/{stem}_{venue}_{year}_paper.html"
        url_pdf = url_abs.replace("/html/", "/papers/").replace(".html", ".pdf")
    elif venue == "NeurIPS":
        url_abs = f"https://papers.nips.cc/paper/{year}/hash/{hexid}-Abstract.html"
        url_pdf = f"https://papers.nips.cc/paper/{year}/file/{hexid}-Paper.pdf"
    elif venue == "ICLR":
        url_abs = f"https://openreview.net/forum?id={openreview}"
        url_pdf = f"https://openreview.net/pdf?id={openreview}"
    elif venue in ("ACL", "EMNLP", "NAACL", "COLING"):
        url_abs = f"https://aclanthology.org/{year}.{venue.lower()}-main.{rng.randint(1, 900)}/"
        url_pdf = url_abs.rstrip("/") + ".pdf"
    else:
        url_abs = url_pdf = None
    return {
        "nips_id": hexid if venue == "NeurIPS" and rng.random() < 0.5 else None,
        "openreview_id": openreview if venue == "ICLR" else None,
        "proceeding": proceeding,
        "conference_url_abs": url_abs,
        "conference_url_pdf": url_pdf,
        "conference": p.slug if rng.random() < 0.5 else f"{p.slug}-1",
    }


def paper_record(rng: random.Random, p: PaperRef, authors: list[str], ctx: "Context") -> dict:
    venue = make_proceeding(rng, p) if rng.random() < 0.15 else None
    n_tasks = pick(rng, range(6), PAPER_TASKS_CW)
    n_methods = pick(rng, range(5), PAPER_METHODS_CW)
    return {
        "paper_url": p.url,
        "arxiv_id": p.arxiv_id,
        "nips_id": venue["nips_id"] if venue else None,
        "openreview_id": venue["openreview_id"] if venue else None,
        "title": p.title,
        "abstract": make_text(rng, 100, 200),
        "short_abstract": None,
        "url_abs": p.url_abs,
        "url_pdf": p.url_pdf,
        "proceeding": venue["proceeding"] if venue else None,
        "authors": authors,
        "tasks": [ctx.tasks.names[k] for k in distinct(rng, len(ctx.tasks.names), n_tasks, 0.8)],
        "date": p.date,
        "conference_url_abs": venue["conference_url_abs"] if venue else None,
        "conference_url_pdf": venue["conference_url_pdf"] if venue else None,
        "conference": venue["conference"] if venue else None,
        "reproduces_paper": ctx.index.random(rng).url if rng.random() < 0.001 else None,
        "methods": [ctx.methods.summaries[k] for k in distinct(rng, len(ctx.methods.summaries), n_methods, 0.9)],
    }


PAPER_TASKS_CW = cum([15, 30, 25, 15, 10, 5])
PAPER_METHODS_CW = cum([35, 25, 20, 12, 8])


def code_link_record(rng: random.Random, p: PaperRef, first_author: str, official: bool) -> dict:
    if not official and rng.random() < 0.1:
        repo = rng.choice(SHARED_REPOS)  # popular implementation repositories link many papers
    else:
        words = p.slug.split("-")
        name = "-".join(words[:rng.randint(1, 3)]) if rng.random() < 0.6 else make_model_name(rng)
        repo = github_repo(rng, handle_of(first_author), name)
    return {
        "paper_url": p.url,
        "paper_title": p.title,
        "paper_arxiv_id": p.arxiv_id,
        "paper_url_abs": p.url_abs,
        "paper_url_pdf": p.url_pdf,
        "repo_url": f"https://github.com/{repo}",
        "is_official": official,
        "mentioned_in_paper": rng.random() < (0.7 if official else 0.05),
        "mentioned_in_github": rng.random() < (0.8 if official else 0.6),
        "framework": pick(rng, FRAMEWORKS, FRAMEWORK_CW),
    }


def write_papers_and_links(ctx: "Context", papers_out: ArrayWriter, links_out: ArrayWriter) -> None:
    """One pass over the papers; each paper's code links are written right after it is."""
    rng = stream_rng(ctx.seed, "papers")
    planner = LinkPlanner(ctx.counts["papers"], ctx.counts["code_links"])
    for i in range(ctx.counts["papers"]):
        p = ctx.index.get(i)
        authors = ctx.authors.draw(rng)
        papers_out.write(paper_record(rng, p, authors, ctx))
        for k in range(planner.take(rng)):
            official = rng.random() < (0.55 if k == 0 else 0.15)
            links_out.write(code_link_record(rng, p, authors[0], official))


# ----------------------------------------------------------------------------- tasks


class TaskNode:
    __slots__ = ("name", "area", "depth", "parent", "children", "tables", "copy")

    def __init__(self, name: str, area: str, parent: "TaskNode | None" = None, copy: bool = False):
        self.name = name
        self.area = area
        self.parent = parent
        self.depth = parent.depth + 1 if parent else 0
        self.children: list[TaskNode] = []
        self.tables: list[int] = []
        self.copy = copy  # a quirk node repeating another task's name
        if parent:
            parent.children.append(self)


class TaskTree:
    """The evaluation-table task hierarchy; its distinct names are the task pool of all files."""

    def __init__(self, rng: random.Random, counts: dict, scale: float):
        self.top: list[TaskNode] = []
        self.nodes: list[TaskNode] = []
        self._used: set[str] = set()
        n_top = counts["top_level_tasks"]
        self._make_top(rng, n_top)
        quirks = (n_top >= 2) + (scale >= 0.01)
        self._make_subtasks(rng, counts["tasks_total"] - n_top - quirks)
        self._add_junk()
        self._add_quirks(rng, scale)
        self.names = [n.name for n in self.nodes if not n.copy]
        slugs = SlugRegistry()
        self.slug = {name: slugs.claim(slugify(name)) for name in self.names}

    def _add(self, node: TaskNode) -> TaskNode:
        self.nodes.append(node)
        self._used.add(node.name)
        return node

    def _make_top(self, rng: random.Random, n_top: int) -> None:
        combos = [(f"{m} {c}", a) for c, a in CORE_TASKS for m in MODIFIERS]
        rng.shuffle(combos)
        candidates = [c for c in CORE_TASKS + combos if c[0] not in self._used]
        k = 0
        while len(self.top) < n_top:
            name, area = candidates[k] if k < len(candidates) else (f"Benchmark Task {k}", "Miscellaneous")
            k += 1
            if name not in self._used:
                self.top.append(self._add(TaskNode(name, area)))

    def _child_name(self, rng: random.Random, parent: str) -> str | None:
        for _ in range(8):
            mod = rng.choice(MODIFIERS)
            name = f"{mod} {parent}"
            if mod not in parent and name not in self._used:
                return name
        name = f"{parent} {rng.choice(SUBTASK_SUFFIXES)}"
        return None if name in self._used else name

    def _make_subtasks(self, rng: random.Random, n_sub: int) -> None:
        open_subtasks: list[TaskNode] = []  # subtasks that may still get children (depth < 3)
        made = tries = 0
        while made < n_sub and tries < 50 * n_sub:
            tries += 1
            if open_subtasks and rng.random() < 0.35:
                parent = rng.choice(open_subtasks)
            else:  # most subtasks hang under a few popular top-level tasks
                parent = self.top[power_index(rng, len(self.top), 0.7)]
            name = self._child_name(rng, parent.name)
            if name is None:
                continue
            node = self._add(TaskNode(name, parent.area, parent))
            made += 1
            if node.depth < 3:
                open_subtasks.append(node)

    def _add_junk(self) -> None:
        """Every 150th task (and at least one) gets a junk name, cycling through the junk styles."""
        subtasks = [n for n in self.nodes if n.depth > 0] or self.nodes
        picks = subtasks[17::150] or subtasks[-1:]
        for k, node in enumerate(picks):
            name = JUNK_STYLES[k % len(JUNK_STYLES)](node.name)
            if name not in self._used:
                self._used.discard(node.name)
                node.name = name
                self._used.add(name)

    def _add_quirks(self, rng: random.Random, scale: float) -> None:
        if len(self.top) >= 2:  # a subtask that is also a top-level task
            other, host = rng.sample(self.top, 2)
            self.nodes.append(TaskNode(other.name, other.area, host, copy=True))
        candidates = [n for n in self.nodes if 1 <= n.depth <= 2 and not n.copy]
        if scale >= 0.01 and candidates:  # a cycle: a subtask nests a copy of an ancestor by name
            node = rng.choice(candidates)
            ancestors = []
            a = node.parent
            while a is not None:
                ancestors.append(a)
                a = a.parent
            target = rng.choice(ancestors)
            self.nodes.append(TaskNode(target.name, target.area, node, copy=True))  # no further subtasks

    def random_names(self, rng: random.Random, k: int) -> list[str]:
        return [self.names[i] for i in distinct(rng, len(self.names), k, 0.8)]


# ----------------------------------------------------------------------------- methods


class MethodPool:
    """All methods, in popularity order; papers embed their summaries, methods.json lists them."""

    def __init__(self, rng: random.Random, n: int, index: PaperIndex):
        self.records: list[dict] = []
        self.summaries: list[dict] = []
        names: set[str] = set()
        slugs = SlugRegistry()
        specs = self._specs(rng, n)
        for k, (name, full_name, collection) in enumerate(specs):
            if k % 400 == 123:  # junk names at a small rate
                name = JUNK_STYLES[(k // 400) % len(JUNK_STYLES)](name)
            if name in names:
                name = f"{name} ({full_name})" if f"{name} ({full_name})" not in names else f"{name} #{k}"
            names.add(name)
            rec = self._record(rng, k, name, full_name, collection, slugs.claim(slugify(name)), index)
            self.records.append(rec)
            self.summaries.append(self._summary(rec))

    @staticmethod
    def _specs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
        specs = list(FAMOUS_METHODS[:n])
        seen = {s[0] for s in specs} | {s[1] for s in specs}
        tries = 0
        while len(specs) < n:
            tries += 1
            adj = rng.choice(METHOD_ADJ)
            mech, collection = rng.choice(METHOD_MID)
            tail = rng.choice(METHOD_TAIL)
            full = " ".join(w for w in (adj, mech, tail) if w)
            if tries > 200_000:
                full = f"{full} {tries}"  # the space is exhausted only at huge scales
            if full in seen:
                continue
            seen.add(full)
            acronym = "".join(w[0] for w in re.split(r"[ -]", full) if w).upper()
            if rng.random() < 0.5 and acronym not in seen:
                name = acronym
            elif rng.random() < 0.3 and f"{acronym}-{len(specs) % 9 + 2}" not in seen:
                name = f"{acronym}-{len(specs) % 9 + 2}"
            else:
                name = full
            seen.add(name)
            specs.append((name, full, collection))
        return specs

    @staticmethod
    def _record(rng, k, name, full_name, collection, slug, index) -> dict:
        paper = index.random(rng) if rng.random() >= 0.3 else None
        if paper:
            year = paper.year
            source_url = (paper.url_abs.replace("https:", "http:") if paper.url_abs and rng.random() < 0.5
                          else paper.url_abs or paper.url)
            source_title = paper.title
        else:
            year = 2000 if rng.random() < 0.4 else rng.randint(1950, 2024)  # 2000: the dumps' default year
            source_url = None if rng.random() < 0.5 else f"https://en.wikipedia.org/wiki/{full_name.replace(' ', '_')}"
            source_title = None if source_url is None else full_name
        colls = [collection] + [c for c in rng.sample(COLLECTION_NAMES, 2) if c != collection]
        colls = colls[:pick(rng, (0, 1, 2, 3), METHOD_COLLECTIONS_CW)]
        snippet = None
        if rng.random() < 0.45:
            owner_repo = rng.choice(SHARED_REPOS)
            start = rng.randint(1, 900)
            snippet = (f"https://github.com/{owner_repo}/blob/{rng.getrandbits(40):010x}/"
                       f"{slugify(full_name).replace('-', '_')}.py#L{start}-L{start + rng.randint(5, 80)}")
        also = f"(**{full_name}**) " if full_name != name else ""
        description = f"**{name}** {also}is a {lower_first(make_text(rng, 30, 110, starters=False))}"
        return {
            "url": f"{PWC}method/{slug}",
            "name": name,
            "full_name": full_name,
            "description": description,
            "paper": {"title": paper.title, "url": paper.url} if paper else None,
            "introduced_year": year,
            "source_url": source_url,
            "source_title": source_title,
            "code_snippet_url": snippet,
            "num_papers": max(0, int(12_000 / (k + 1) ** 0.85 * rng.uniform(0.6, 1.4))),
            "collections": [{"collection": c, "area_id": COLLECTIONS[c][0], "area": AREAS[COLLECTIONS[c][0]]}
                            for c in colls],
        }

    @staticmethod
    def _summary(rec: dict) -> dict:
        """The method as papers embed it: the same fields, with the first collection as main_collection."""
        main = None
        if rec["collections"]:
            c = rec["collections"][0]["collection"]
            main = {"name": c, "description": COLLECTION_DESCRIPTIONS[c], "parent": COLLECTIONS[c][1],
                    "area": AREAS[COLLECTIONS[c][0]]}
        return {
            "name": rec["name"],
            "full_name": rec["full_name"],
            "description": rec["description"],
            "introduced_year": rec["introduced_year"],
            "source_url": rec["source_url"],
            "source_title": rec["source_title"],
            "code_snippet_url": rec["code_snippet_url"],
            "main_collection": main,
        }


METHOD_COLLECTIONS_CW = cum([8, 62, 22, 8])
COLLECTION_DESCRIPTIONS = {c: f"**{c}** are methods grouped by what they do in a model's {AREAS[a].lower()} pipeline."
                           for c, (a, _) in COLLECTIONS.items()}


# ----------------------------------------------------------------------------- datasets


class DatasetPool:
    """Dataset names (famous ones first, so they are the popular ones) and names absent from datasets.json."""

    def __init__(self, rng: random.Random, n: int):
        names = list(dict.fromkeys(FAMOUS_DATASETS))[:n]
        seen = set(names)
        self.names = names
        while len(names) < n:
            names.append(self._fresh(rng, seen))
        for k in range(37, n, 300):  # junk names at a small rate
            junk = JUNK_STYLES[(k // 300) % len(JUNK_STYLES)](names[k])
            if junk not in seen:
                seen.add(junk)
                names[k] = junk
        if SQL_DATASET not in seen:  # the one dataset named like an SQL injection probe, at every scale
            names[n // 2 if n > 1 else 0] = SQL_DATASET
            seen.add(SQL_DATASET)
        self.missing = [self._fresh(rng, seen) for _ in range(max(5, n // 20))]
        slugs = SlugRegistry()
        self.slugs = [slugs.claim(slugify(name)) for name in names]

    @staticmethod
    def _fresh(rng: random.Random, seen: set[str]) -> str:
        while True:
            name = rng.choice(DATASET_STEMS) + rng.choice(DATASET_PARTS) + rng.choice(DATASET_SUFFIXES)
            if rng.random() < 0.05:
                name = f"{name}-{rng.randint(2, 999)}"  # room at large scales
            if name not in seen:
                seen.add(name)
                return name

    def leaderboard_name(self, rng: random.Random) -> str:
        """Mostly a dataset of datasets.json (popular ones more often); ~5% one it does not hold."""
        if rng.random() < 0.05:
            return rng.choice(self.missing)
        return self.names[power_index(rng, len(self.names), 0.9)]


def dataset_record(rng: random.Random, k: int, ctx: "Context") -> dict:
    pool = ctx.datasets
    name, slug = pool.names[k], pool.slugs[k]
    paper = ctx.index.random(rng) if rng.random() < 0.6 else None
    if rng.random() < 0.2:
        introduced = None
    else:
        introduced = paper.date if paper and paper.date else make_date(rng)
    modalities = sorted({pick(rng, MODALITIES, MODALITY_CW) for _ in range(rng.randint(1, 3))})
    languages = []
    if "Texts" in modalities or "Speech" in modalities:
        languages = ["English"] if rng.random() < 0.7 else rng.sample(LANGUAGES, rng.randint(1, 4))
    variants = [name] + [f"{name} ({v})" for v in rng.sample(SUBDATASET_VARIANTS, pick(rng, range(4), VARIANTS_CW))]
    full_name = name if rng.random() < 0.4 else " ".join(
        w.capitalize() for w in rng.choices(ABSTRACT_VOCAB[60:], k=rng.randint(2, 6)))
    return {
        "url": f"{PWC}dataset/{slug}",
        "name": name,
        "full_name": full_name,
        "homepage": (rng.choice(["https://{s}.github.io/", "https://www.{s}.org/", "https://github.com/{s}/{s}",
                                 "https://cs.example-university.edu/~lab/{s}/"]).format(s=slug)
                     if rng.random() < 0.7 else None),
        "description": (f"**{name}** {lower_first(make_text(rng, 20, 120, starters=False))}"
                        if rng.random() < 0.9 else ""),
        "paper": {"title": paper.title, "url": paper.url} if paper else None,
        "introduced_date": introduced,
        "warning": None,
        "modalities": modalities,
        "tasks": [{"task": t, "url": f"{PWC}task/{ctx.tasks.slug[t]}"}
                  for t in ctx.tasks.random_names(rng, pick(rng, range(6), DATASET_TASKS_CW))],
        "languages": languages,
        "variants": variants,
        "num_papers": max(0, int(5_000 / (k + 1) ** 0.8 * rng.uniform(0.5, 1.5))),
        "data_loaders": [data_loader(rng, slug) for _ in range(pick(rng, range(4), LOADERS_CW))],
    }


VARIANTS_CW = cum([70, 18, 8, 4])
DATASET_TASKS_CW = cum([10, 40, 25, 13, 7, 5])
LOADERS_CW = cum([60, 28, 9, 3])


def data_loader(rng: random.Random, slug: str) -> dict:
    kind = rng.randrange(3)
    if kind == 0:
        return {"url": f"https://huggingface.co/datasets/{slug}", "repo": "https://github.com/huggingface/datasets",
                "frameworks": ["jax", "pytorch", "tf"]}
    if kind == 1:
        return {"url": f"https://pytorch.org/vision/stable/datasets.html#{slug}",
                "repo": "https://github.com/pytorch/vision", "frameworks": ["pytorch"]}
    return {"url": f"https://www.tensorflow.org/datasets/catalog/{slug.replace('-', '_')}",
            "repo": "https://github.com/tensorflow/datasets", "frameworks": ["tf", "jax"]}


# ----------------------------------------------------------------------------- leaderboards


def plan_tables(rng: random.Random, rows: int, metric_values: int) -> tuple[list[int], list[int]]:
    """Row and metric counts per leaderboard, summing exactly to the target rows and metric values."""
    sizes: list[int] = []
    total = 0
    while total < rows:
        r = min(pick(rng, TABLE_SIZES, TABLE_SIZE_CW), rows - total)
        sizes.append(r)
        total += r
    mets = [pick(rng, (1, 2, 3, 4, 5, 6), METRICS_PER_TABLE_CW) for _ in sizes]
    diff = metric_values - sum(r * m for r, m in zip(sizes, mets))
    order = list(range(len(sizes)))
    while diff:  # one metric more or less at a time, on tables small enough to not overshoot
        rng.shuffle(order)
        moved = False
        for t in order:
            step = 1 if diff > 0 else -1
            if sizes[t] <= abs(diff) and 1 <= mets[t] + step <= 6:
                mets[t] += step
                diff -= step * sizes[t]
                moved = True
                if not diff:
                    break
        if not moved:
            break  # cannot be exact (tiny scales); the summary reports what was written
    return sizes, mets


def assign_tables(rng: random.Random, tree: TaskTree, n_tables: int) -> None:
    """Spread leaderboards over ~65% of the tasks, a few tasks holding many (Zipf)."""
    holders = [n for n in tree.nodes if rng.random() < 0.65] or tree.nodes[:1]
    rng.shuffle(holders)
    for t in range(n_tables):
        holders[power_index(rng, len(holders), 0.75)].tables.append(t)


class Leaderboards:
    """Writes evaluation-tables.json: task records with their datasets, subdatasets and sota rows."""

    def __init__(self, ctx: "Context"):
        self.ctx = ctx
        self.rng = stream_rng(ctx.seed, "evaluation-tables")
        self.sizes, self.mets = plan_tables(self.rng, ctx.counts["rows"], ctx.counts["metric_values"])
        assign_tables(self.rng, ctx.tasks, len(self.sizes))
        self.stats = {"top_level_tasks": 0, "tasks_total": 0, "tables": 0, "empty_tables": 0, "rows": 0,
                      "metric_values": 0, "duplicate_rows": 0}
        self._entries = 0
        self._sql_at = len(self.sizes) // 2  # the SQL-named dataset also appears in one leaderboard

    def write(self, out: ArrayWriter) -> None:
        for node in self.ctx.tasks.top:
            out.write(self.task(node))
            self.stats["top_level_tasks"] += 1

    def task(self, node: TaskNode) -> dict:
        rng = self.rng
        self.stats["tasks_total"] += 1
        cats = [node.area] + ([rng.choice(list(AREAS.values()))] if rng.random() < 0.1 else [])
        return {
            "task": node.name,
            "description": (f"**{node.name}** is the task of {lower_first(make_text(rng, 15, 60, starters=False))}"
                            if rng.random() < 0.7 else ""),
            "categories": list(dict.fromkeys(cats)),
            "source_link": ({"title": node.name, "url": f"https://github.com/sebastianruder/NLP-progress/blob/master/"
                                                        f"english/{slugify(node.name).replace('-', '_')}.md"}
                            if rng.random() < 0.15 else None),
            "synonyms": [] if rng.random() < 0.9 else [f"{node.name} ({rng.choice(SUBDATASET_VARIANTS)})"],
            "subtasks": [self.task(c) for c in node.children],
            "datasets": self.datasets(node),
        }

    def datasets(self, node: TaskNode) -> list[dict]:
        """The task's leaderboards grouped into dataset entries; ~2% of entries hold subdatasets."""
        rng = self.rng
        tables = node.tables
        used: set[str] = set()
        entries = []
        i = 0
        while i < len(tables):
            name = self._dataset_name(used)
            left = len(tables) - i
            if left >= 2 and rng.random() < 0.02:
                k = min(rng.randint(1, 3), left - 1)
                own = None if rng.random() < 0.5 else tables[i]  # half the parents keep no rows themselves
                subs = tables[i + (own is not None): i + 1 + k]
                entries.append(self.dataset_entry(name, own, subs))
                i += 1 + k if own is not None else len(subs)
            else:
                entries.append(self.dataset_entry(name, tables[i], []))
                i += 1
        return entries

    def _dataset_name(self, used: set[str]) -> str:
        self._entries += 1
        pool = self.ctx.datasets
        name = SQL_DATASET if self._entries == self._sql_at else pool.leaderboard_name(self.rng)
        for _ in range(50):
            if name not in used:
                break
            name = pool.leaderboard_name(self.rng)
        else:  # a task with very many datasets: the first free pool name, else a numbered one
            free = (n for n in itertools.chain(pool.names, (f"{name} ({k})" for k in itertools.count(2)))
                    if n not in used)
            name = next(free)
        used.add(name)
        return name

    def dataset_entry(self, name: str, own: int | None, subs: list[int]) -> dict:
        rng = self.rng
        links = [{"title": "Homepage", "url": f"https://{slugify(name)}.github.io/"}] if rng.random() < 0.3 else []
        cites = []
        if rng.random() < 0.3:
            p = self.ctx.index.random(rng)
            cites = [{"title": p.title, "url": p.url}]
        variants = rng.sample(SUBDATASET_VARIANTS, len(subs))
        return {
            "dataset": name,
            "description": "",
            "dataset_links": links,
            "dataset_citations": cites,
            "subdatasets": [{"subdataset": f"{name} ({v})", "description": "", "sota": self.sota(t), "subdatasets": []}
                            for v, t in zip(variants, subs)],
            "sota": self.sota(own) if own is not None else self.empty_sota(),
        }

    def empty_sota(self) -> dict:
        self.stats["empty_tables"] += 1
        return {"metrics": [], "rows": []}

    def sota(self, t: int) -> dict:
        """One leaderboard: ordered metric names and rows, best first, with a few exact duplicates."""
        rng = self.rng
        n_rows, n_metrics = self.sizes[t], self.mets[t]
        family = rng.choice(METRIC_FAMILIES)
        names = sorted(rng.sample(family, n_metrics), key=family.index)
        like: dict[str, str] = {}
        if rng.random() < TAIL_TABLES:
            names, like = self.tail_columns(rng, names)
        table = TableStyle(rng, names, like)
        dups = sum(rng.random() < 0.003 for _ in range(n_rows - 1))
        scored = sorted((self.row(table) for _ in range(n_rows - dups)), key=lambda qr: -qr[0])
        rows = [r for _, r in scored]
        for _ in range(dups):  # exact duplicates, right after the row they copy
            at = rng.randrange(len(rows))
            rows.insert(at + 1, dict(rows[at]))
        self.stats["tables"] += 1
        self.stats["rows"] += len(rows)
        self.stats["metric_values"] += len(rows) * len(names)
        self.stats["duplicate_rows"] += dups
        return {"metrics": names, "rows": rows}

    def tail_columns(self, rng: random.Random, names: list[str]) -> tuple[list[str], dict[str, str]]:
        """The columns of a long-tail leaderboard, as many as planned: its first metric, then splits, domains
        or names of their own."""
        main, n = names[0], len(names)
        u = rng.random()
        if u < 0.35:  # split and catch-all columns, measured like the main metric (with it, or alone)
            alone = n == 1 or rng.random() < 0.4
            cols = rng.sample(GENERIC_COLUMNS, min(n if alone else n - 1, len(GENERIC_COLUMNS)))
            return (cols if alone else [main, *cols]), {c: main for c in cols}
        if u < 0.6 and n >= 2:  # one column per dataset or domain, beside the main metric
            cols = rng.sample(DOMAIN_COLUMNS, min(n - 1, len(DOMAIN_COLUMNS)))
            return [main, *cols], {c: main for c in cols}
        tail: list[str] = []
        while len(tail) < n:
            name = pick(rng, TAIL_NAMES, TAIL_CW)
            if name not in tail:
                tail.append(name)
        return tail, {}

    def row(self, table: "TableStyle") -> tuple[float, dict]:
        rng = self.rng
        title, url, date, year, hint = self.row_paper()
        # quality rises with the paper's year: newer papers tend to score better
        q = table.center + table.slope * (year - 2010) / 15 + rng.gauss(0, 0.06)
        row = {
            "model_name": model_name(rng, hint),
            "paper_title": title,
            "paper_url": url,
            "paper_date": date,
            "code_links": code_links(rng, hint),
            "model_links": [] if rng.random() < 0.95 else [
                {"title": "Hugging Face", "url": f"https://huggingface.co/{handle_of(title or 'model')}/model"}],
            "metrics": {n: table.value(rng, n, q + rng.gauss(0, 0.03)) for n in table.names},
        }
        if rng.random() >= 0.3:  # absent in ~30% of rows
            row["uses_additional_data"] = rng.random() < 0.1
        return q, row

    def row_paper(self) -> tuple[str, str, str | None, int, str]:
        """(paper_title, paper_url, paper_date, year, name hint) of a row's paper."""
        rng = self.rng
        u = rng.random()
        if u < 0.92:
            p = self.ctx.index.random(rng)
            hint = p.title.split(":")[0] if ":" in p.title[:30] else ""
            date = p.date if rng.random() >= 0.03 else None
            if date and rng.random() < 0.01:
                date = ""
            if u >= 0.90:  # title only, no URL
                return p.title, "", date, p.year, hint
            return p.title, paper_url_form(rng, p), date, p.year, hint
        if u < 0.97:  # a paper the papers file does not hold: made-up title, publisher URL
            year = pick(rng, YEARS, YEAR_CW)
            title = make_title(rng)
            url = rng.choice(PUBLISHER_URLS).format(
                y=year, s=slugify(title, 40).replace("-", "_").title(), n=rng.randint(1, 999),
                n2=rng.randint(1, 60), n5=rng.randint(10000, 99999), n7=rng.randint(1_000_000, 9_999_999),
                h="%032x" % rng.getrandbits(128), o="".join(rng.choices("abcdefghijkmnopqrstuvwxyzABCDEFGH", k=10)))
            return title, url, make_date(rng, year) if rng.random() < 0.8 else None, year, ""
        year = pick(rng, YEARS, YEAR_CW)  # empty title and URL
        return "", "", None if rng.random() < 0.7 else "", year, ""


def paper_url_form(rng: random.Random, p: PaperRef) -> str:
    """A row's link to an existing paper in one of the forms leaderboards use."""
    if not p.arxiv_id:
        return p.url
    form = rng.randrange(6)
    if form == 0:
        return f"https://arxiv.org/abs/{p.arxiv_id}v{p.version}"
    if form == 1:
        return f"https://arxiv.org/abs/{p.arxiv_id}"
    if form == 2:
        return f"http://arxiv.org/abs/{p.arxiv_id}v{p.version}"
    if form == 3:
        return f"https://arxiv.org/pdf/{p.arxiv_id}v{p.version}.pdf"
    if form == 4:
        return f"http://arxiv.org/pdf/{p.arxiv_id}"
    return p.url


def model_name(rng: random.Random, hint: str) -> str:
    u = rng.random()
    if u < 0.03:
        return rng.choice(GENERIC_MODELS)
    if u < 0.035:  # junk
        return JUNK_STYLES[rng.randrange(len(JUNK_STYLES))](rng.choice(MODEL_BASES)[0])
    if hint and u < 0.4:
        return f"{hint} {rng.choice(['', 'Base', 'Large', '1.5B', '7B', '(ours)', 'v2'])}".strip()
    base, variants = rng.choice(MODEL_BASES)
    return f"{base}{rng.choice(variants)}{rng.choice(MODEL_DECOR)}"


def code_links(rng: random.Random, hint: str) -> list[dict]:
    if rng.random() < 0.55:
        return []
    out = []
    for _ in range(1 if rng.random() < 0.85 else 2):
        if rng.random() < 0.2:
            repo = rng.choice(SHARED_REPOS)
        else:
            repo = f"{rng.choice(ORGS)}/{slugify(hint or make_model_name(rng))}"
        out.append({"title": repo, "url": f"https://github.com/{repo}"})
    return out


class TableStyle:
    """Per-leaderboard choices: metric columns, value scale, decimals, string or number values."""

    def __init__(self, rng: random.Random, names: list[str], like: dict[str, str] | None = None):
        self.names = names
        like = like or {}
        self.specs = {n: METRIC_SPECS.get(like.get(n, n), (10.0, 99.0, 1, 2, "num")) for n in names}
        self.center = rng.uniform(0.15, 0.5)
        self.slope = rng.uniform(0.25, 0.45)
        self.numbers = rng.random() < 0.08  # some leaderboards hold JSON numbers, not strings
        self.strip = rng.random() < 0.3  # "36" rather than "36.0"
        self.dec_shift = rng.choice((-1, 0, 0, 0, 1))

    def value(self, rng: random.Random, name: str, q: float):
        lo, hi, direction, dec, kind = self.specs[name]
        dec = max(0, dec + self.dec_shift)
        q = min(0.999, max(0.001, q))
        if direction > 0:
            v = lo + (hi - lo) * q
        elif direction < 0:
            v = hi - (hi - lo) * q
        else:  # sizes and costs: log-uniform, no better direction
            v = lo * (hi / lo) ** rng.random()
        u = rng.random()
        if u < QUIRK_RATE:
            return quirk(rng, QUIRKS[int(u / 0.005)], v, dec, kind)
        if kind == "num" and lo >= 1 and hi <= 100 and rng.random() < SLIP_RATE:
            return f"{v / 100:.{dec + 2}f}"  # a scale slip: a fraction among percentages
        if kind in ("params", "flops"):
            return int(v) if self.numbers else magnitude(v, kind)
        if self.numbers or u > 0.985:
            return round(v, dec) if dec else int(round(v))
        text = f"{v:.{dec}f}"
        if self.strip and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text


def magnitude(v: float, kind: str) -> str:
    if kind == "flops":
        return f"{v / 1e9:.1f}G"
    return f"{v / 1e9:.1f}B" if v >= 1e9 else f"{v / 1e6:.1f}M"


def quirk(rng: random.Random, kind: str, v: float, dec: int, vkind: str) -> str:
    """The odd value strings of the real leaderboards."""
    a = abs(v)
    if vkind in ("params", "flops"):
        a = a / 1e6
    plain = f"{a:.{max(dec, 1)}f}"
    if kind == "pct":
        return f"{plain}%"
    if kind == "dot":
        return f"{(a % 1) or 0.5:.4f}"[1:]
    if kind == "pm":
        return f"{plain} ± {a * rng.uniform(0.001, 0.02):.{max(dec, 1) + 1}f}"
    if kind == "mega":
        return f"{max(1, round(a))}M"
    if kind == "giga":
        return f"{a % 9 + 0.1:.1f}B"
    if kind == "slash":
        return f"{plain}/{a * rng.uniform(0.97, 1.0):.{max(dec, 1)}f}"
    if kind == "uminus_num":
        return f"\u2212{plain}"
    return {"dash": "-", "uminus": "\u2212", "dashstar": "--*", "empty": "", "yes": "Yes"}[kind]


# ----------------------------------------------------------------------------- main


class Context:
    """Everything the record writers share: the seed, counts and the in-memory pools."""

    def __init__(self, seed: int, scale: float):
        self.seed = seed
        self.scale = scale
        self.counts = scaled_counts(scale)
        self.index = PaperIndex(seed, self.counts["papers"])
        self.authors = AuthorPool(self.counts["authors"])
        self.tasks = TaskTree(stream_rng(seed, "tasks"), self.counts, scale)
        self.methods = MethodPool(stream_rng(seed, "methods"), self.counts["methods"], self.index)
        self.datasets = DatasetPool(stream_rng(seed, "dataset-names"), self.counts["datasets"])


def log(msg: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def generate(out_dir: str, scale: float, seed: int, use_gzip: bool, level: int) -> dict:
    t0 = time.perf_counter()
    os.makedirs(out_dir, exist_ok=True)
    path = {k: os.path.join(out_dir, f + (".gz" if use_gzip else "")) for k, f in FILES.items()}

    ctx = Context(seed, scale)
    log(f"pools ready: {len(ctx.tasks.names)} task names, {len(ctx.methods.records)} methods, "
        f"{len(ctx.datasets.names)} dataset names", t0)

    with ArrayWriter(path["papers"], use_gzip, level) as papers, \
            ArrayWriter(path["code_links"], use_gzip, level) as links:
        write_papers_and_links(ctx, papers, links)
    log(f"papers: {papers.count}, code links: {links.count}", t0)

    with ArrayWriter(path["methods"], use_gzip, level) as methods:
        for rec in ctx.methods.records:
            methods.write(rec)
    with ArrayWriter(path["datasets"], use_gzip, level) as datasets:
        rng = stream_rng(seed, "datasets")
        for k in range(len(ctx.datasets.names)):
            datasets.write(dataset_record(rng, k, ctx))
    log(f"methods: {methods.count}, datasets: {datasets.count}", t0)

    boards = Leaderboards(ctx)
    with ArrayWriter(path["evaluation_tables"], use_gzip, level) as tables:
        boards.write(tables)
    log(f"evaluation tables: {boards.stats}", t0)

    return {
        "papers": papers.count,
        "code_links": links.count,
        "methods": methods.count,
        "datasets": datasets.count,
        "top_level_tasks": boards.stats["top_level_tasks"],
        "tasks_total": boards.stats["tasks_total"],
        "tables": boards.stats["tables"],
        "rows": boards.stats["rows"],
        "metric_values": boards.stats["metric_values"],
        "empty_tables": boards.stats["empty_tables"],
        "duplicate_rows": boards.stats["duplicate_rows"],
        "seconds": round(time.perf_counter() - t0, 1),
        "bytes": {os.path.basename(p): os.path.getsize(p) for p in path.values()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder to write the five files into")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every record count (default 1.0)")
    ap.add_argument("--seed", type=int, default=42, help="same seed and scale, same bytes (default 42)")
    ap.add_argument("--no-gzip", action="store_true", help="write plain .json instead of .json.gz")
    ap.add_argument("--compresslevel", type=int, default=1, choices=range(1, 10), help="gzip level (default 1)")
    ap.add_argument("--parquet", action="store_true",
                    help="also write the archive as Parquet, to OUT/parquet/<repository>/data/train-00000-of-00001.parquet")
    args = ap.parse_args(argv)
    if args.scale <= 0:
        ap.error("--scale must be > 0")
    summary = generate(args.out, args.scale, args.seed, not args.no_gzip, args.compresslevel)
    if args.parquet:
        from json_to_parquet import convert_archive  # pyarrow only when asked for

        t0 = time.perf_counter()
        parquet = os.path.join(args.out, "parquet")
        convert_archive(Path(args.out), Path(parquet))
        summary["parquet_seconds"] = round(time.perf_counter() - t0, 1)
        summary["parquet_bytes"] = {os.path.relpath(os.path.join(d, f), parquet): os.path.getsize(os.path.join(d, f))
                                    for d, _, files in os.walk(parquet) for f in files}
        log(f"parquet copies written to {parquet}", t0)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
