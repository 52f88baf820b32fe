"""Pure array maths on NumPy arrays, with the names and conventions of ``torch.nn.functional``.

Layout is ``(N, C, H, W)``; weights are ``(out_channels, in_channels, kH, kW)``. Each operation
``f`` has a gradient ``f_backward(grad_output, <f's arrays>, <f's options>)`` beside it.
"""
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
