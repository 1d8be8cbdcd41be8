"""Neural-network building blocks, as ``torch.nn``: modules, layers, recurrent layers,
losses, initialisation and functional forms."""

from minigrad.nn import functional, init, utils
from minigrad.nn.attention import (
    AdditiveAttention,
    DotProductAttention,
    LuongAttention,
    MultiheadAttention,
)
from minigrad.nn.containers import ModuleDict, ModuleList, Sequential
from minigrad.nn.conv import (
    AdaptiveAvgPool1d,
    AdaptiveMaxPool1d,
    AvgPool1d,
    Conv1d,
    ConvTranspose1d,
    MaxPool1d,
)
from minigrad.nn.layers import (
    ELU,
    GELU,
    MLP,
    BatchNorm1d,
    Dropout,
    Embedding,
    Flatten,
    Hardsigmoid,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Residual,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from minigrad.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from minigrad.nn.module import Module, Parameter
from minigrad.nn.recurrent import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LastOutput,
    LSTMCell,
    RNNCell,
    SequenceOutput,
)
from minigrad.nn.summary import summary
from minigrad.nn.transformer import (
    PositionalEncoding,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveMaxPool1d",
    "AvgPool1d",
    "Conv1d",
    "ConvTranspose1d",
    "MaxPool1d",
    "ELU",
    "GRU",
    "LSTM",
    "MLP",
    "RNN",
    "GRUCell",
    "LSTMCell",
    "RNNCell",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardsigmoid",
    "Identity",
    "L1Loss",
    "LastOutput",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Residual",
    "Sequential",
    "SequenceOutput",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    # nn additions (issue 13)
    "CosineEmbeddingLoss",
    "GELU",
    "HuberLoss",
    "KLDivLoss",
    "SiLU",
    "SmoothL1Loss",
    "functional",
    "init",
    "summary",
    "utils",
    # attention and the Transformer (issue 15)
    "AdditiveAttention",
    "DotProductAttention",
    "LuongAttention",
    "MultiheadAttention",
    "PositionalEncoding",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

# nn additions (issue 13): parameter containers, lazy layers
from minigrad.nn.containers import ParameterDict, ParameterList  # noqa: E402
from minigrad.nn.layers import LazyLinear  # noqa: E402
from minigrad.nn.module import UninitializedParameter  # noqa: E402

__all__ += ["LazyLinear", "ParameterDict", "ParameterList", "UninitializedParameter"]
