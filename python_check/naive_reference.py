"""The chapter's formulas written out as its Python classes do (section 3.12)."""
import torch


def sigmoid(x):  # eq. 3-113
    return 1 / (1 + torch.exp(-x))


def tanh(x):  # eq. 3-115
    p = torch.exp(x) - torch.exp(-x)
    q = torch.exp(x) + torch.exp(-x)
    return p / q


def relu(x):  # eq. 3-117
    mask = x >= 0.
    return x * mask


def leakyrelu(x, gamma=0.2):  # eq. 3-119
    return (x >= 0) * x + gamma * (x < 0) * x
