"""Pure array maths on NumPy arrays, with the names and conventions of ``torch.nn.functional``.

Layout is ``(N, C, H, W)``; weights are ``(out_channels, in_channels, kH, kW)``. The files follow the
path of an image through a convolutional network, forward and back: ``conv`` -> ``activation`` ->
``pooling`` (and ``upsampling``, ``normalization``, ``dropout``) -> ``linear`` (flatten, dense) ->
``loss``. Every differentiable operation ``f`` has one contract (see :mod:`.context`)::

    out, ctx = f_forward(input, ..., options)     # ctx keeps what backward needs
    grads = f_backward(grad_output, ctx)          # one gradient per array input, in order
    out = f(input, ...)                           # the forward alone

Each file opens with a readable reference; where an optimized path exists it lives in ``fast/``.
"""
from .context import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
