"""Time series for forecasting, and the windows that turn a series into training pairs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from minigrad.data import _checks


def sine_mixture(
    n_steps: int,
    frequencies: Sequence[float] = (0.02, 0.045, 0.09),
    noise: float = 0.0,
    amplitudes: Sequence[float] | None = None,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
    dtype: DTypeLike = np.float32,
) -> np.ndarray:
    """A sum of sine waves with random phases, plus optional Gaussian noise.

    *What it tests:* forecasting a signal with structure at several time scales: to
    continue it a network must keep track of each component's phase, which needs a
    memory of at least the longest period. With noise it also tests not fitting noise.

    *Source:* a folk benchmark with no single origin — sums of sines have been the first
    series given to forecasting networks since the 1980s.

    ``x[t] = sum_k amplitudes[k] * sin(2 pi frequencies[k] t + phase_k) + noise * e_t``
    for ``t = 0 .. n_steps - 1``, with each ``phase_k`` uniform in [0, 2 pi) and ``e_t``
    standard normal. Frequencies are in cycles per step and must lie in (0, 0.5] (0.5 is
    the fastest a sampled series can show); amplitudes default to ``1 / len(frequencies)``
    each, so the clean signal stays within [-1, 1]. The defaults have periods of 50,
    about 22 and about 11 steps.

    Shape: (n_steps,), float32 unless ``dtype`` says otherwise (computed in float64);
    pass it to :func:`sliding_windows` for training pairs.

    >>> series = sine_mixture(500, frequencies=(0.01, 0.05), seed=2)
    >>> series.shape, bool(abs(series).max() <= 1.0)
    ((500,), True)
    """
    n_steps = _checks.integer("n_steps", n_steps)
    frequencies = [_checks.real("frequencies", f, positive=True) for f in frequencies]
    if not frequencies:
        raise ValueError("frequencies must not be empty")
    for frequency in frequencies:
        if frequency > 0.5:
            raise ValueError(f"frequencies must be at most 0.5 cycles per step, got {frequency}")
    if amplitudes is None:
        amplitudes = [1.0 / len(frequencies)] * len(frequencies)
    else:
        amplitudes = [_checks.real("amplitudes", a) for a in amplitudes]
        if len(amplitudes) != len(frequencies):
            raise ValueError(
                f"amplitudes has {len(amplitudes)} values but frequencies has {len(frequencies)}"
            )
    noise = _checks.real("noise", noise)
    random = _checks.generator(seed, rng)
    phases = random.uniform(0.0, 2.0 * np.pi, len(frequencies))
    steps = np.arange(n_steps, dtype=np.float64)[:, None]
    waves = np.asarray(amplitudes) * np.sin(2.0 * np.pi * np.asarray(frequencies) * steps + phases)
    series = waves.sum(axis=1) + noise * random.standard_normal(n_steps)
    return series.astype(dtype)


def _whole_multiple(name: str, value: float, dt: float) -> int:
    count = round(value / dt)
    if abs(count * dt - value) > 1e-9 * max(1.0, abs(value)):
        raise ValueError(f"{name} ({value}) must be a whole multiple of dt ({dt})")
    return count


def mackey_glass(
    n_steps: int,
    tau: float = 17.0,
    beta: float = 0.2,
    gamma: float = 0.1,
    n: float = 10.0,
    dt: float = 0.1,
    sample_every: float = 1.0,
    warmup: float = 500.0,
    x0: float | None = None,
    *,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
    dtype: DTypeLike = np.float32,
) -> np.ndarray:
    """The Mackey-Glass delay differential equation, sampled at regular times.

    ``dx/dt = beta x(t - tau) / (1 + x(t - tau) ** n) - gamma x(t)``

    *What it tests:* forecasting a deterministic but chaotic series: the future depends
    smoothly on the past, yet small errors grow, so it measures how well a network has
    captured the dynamics (one-step prediction) and how long its own iterated
    predictions stay on track. The delay means the present state needs a memory of the
    last ``tau`` time units.

    *Source:* Mackey & Glass (1977), "Oscillation and chaos in physiological control
    systems", Science 197, a model of blood-cell production; a standard benchmark for
    neural forecasters since Lapedes & Farber (1987), and for echo-state networks
    (Jaeger & Haas 2004). ``tau=17`` with the other defaults is the classic chaotic
    case; its values stay between about 0.4 and 1.35. With a shorter delay the series
    settles at the fixed point ``(beta / gamma - 1) ** (1 / n)`` (for the defaults, when
    ``tau`` is below about 4.7); longer delays give periodic cycles, and chaos from
    about 17.

    *Discretisation:* the history before ``t = 0`` is the constant ``x0`` (drawn
    uniformly from [0.5, 1.5) by the seed when ``x0`` is None; ``x0=1.2`` is the common
    choice). The equation is integrated with the classical fourth-order Runge-Kutta
    method and a fixed step ``dt``, which must divide ``tau``, ``sample_every`` and
    ``warmup`` exactly so that the delayed values at the start and end of a step are
    points already computed; the delayed value at the midpoint of a step comes from the
    cubic Hermite interpolant through its neighbours (their values and slopes), which
    keeps the method fourth-order. The first ``warmup`` time units (the transient from
    the artificial constant history) are discarded; then ``n_steps`` values are taken,
    one every ``sample_every`` time units. The work is a plain Python loop of
    ``(warmup + n_steps * sample_every) / dt`` steps, about 0.02 s for the defaults and
    1,000 samples.

    Shape: (n_steps,), float32 unless ``dtype`` says otherwise (computed in float64).

    >>> series = mackey_glass(1000, seed=0)
    >>> series.shape, bool(0.4 < series.min() and series.max() < 1.35)
    ((1000,), True)
    """
    n_steps = _checks.integer("n_steps", n_steps)
    tau = _checks.real("tau", tau, positive=True)
    beta = _checks.real("beta", beta, positive=True)
    gamma = _checks.real("gamma", gamma)
    exponent = _checks.real("n", n, positive=True)
    dt = _checks.real("dt", dt, positive=True)
    sample_every = _checks.real("sample_every", sample_every, positive=True)
    warmup = _checks.real("warmup", warmup)
    if x0 is not None:
        x0 = _checks.real("x0", x0, positive=True)
    if dt > tau:
        raise ValueError(f"dt ({dt}) must not exceed tau ({tau})")
    delay = _whole_multiple("tau", tau, dt)
    stride = _whole_multiple("sample_every", sample_every, dt)
    skip = _whole_multiple("warmup", warmup, dt)
    random = _checks.generator(seed, rng)
    start = float(random.uniform(0.5, 1.5)) if x0 is None else x0

    def slope(x: float, lagged: float) -> float:
        return beta * lagged / (1.0 + lagged**exponent) - gamma * x

    # Grid point k (time k dt) is list index k + delay; points k <= 0 are the history.
    # slopes[] holds dx/dt just after each point (the history is flat; at t = 0 the
    # solution starts moving, so its slope there is the equation's).
    values = [start] * (delay + 1)
    slopes = [0.0] * delay + [slope(start, start)]
    half = 0.5 * dt
    for k in range(skip + (n_steps - 1) * stride):
        i = k + delay
        x = values[i]
        lag_start, lag_end = values[k], values[k + 1]  # x(t - tau), x(t + dt - tau)
        if k + 1 <= delay:  # the delayed step lies in the flat history
            lag_middle = start
        else:
            lag_middle = 0.5 * (lag_start + lag_end) + dt / 8.0 * (slopes[k] - slopes[k + 1])
        k1 = slope(x, lag_start)
        k2 = slope(x + half * k1, lag_middle)
        k3 = slope(x + half * k2, lag_middle)
        k4 = slope(x + dt * k3, lag_end)
        following = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        values.append(following)
        slopes.append(slope(following, values[k + 1]))
    first = delay + skip
    samples = values[first : first + (n_steps - 1) * stride + 1 : stride]
    return np.asarray(samples, dtype=np.float64).astype(dtype)


def sliding_windows(
    series: ArrayLike, window: int, horizon: int = 1, step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into (past window, future values) pairs for forecasting.

    *What it is for:* turning one long series into a supervised data set: the network
    sees ``window`` consecutive values and predicts the ``horizon`` values that follow.
    For a chaotic system such a window of past values is a time-delay embedding, which
    holds enough to determine the future (Takens 1981) once the window is long enough.

    ``series`` is (T,) — one feature — or (T, features). Pair ``i`` starts at step
    ``s = i * step``: ``inputs[i] = series[s : s + window]`` and
    ``targets[i] = series[s + window : s + window + horizon]``. There are
    ``N = (T - window - horizon) // step + 1`` pairs; a series shorter than
    ``window + horizon`` is an error.

    Shapes: ``inputs`` (N, window, features), batch first, ready for a recurrent layer
    with ``batch_first=True``; ``targets`` always (N, horizon, features), also for
    ``horizon=1`` (take ``targets[:, 0]`` for the (N, features) next values). A 1-D series
    gets ``features = 1``. Both are fresh arrays with the series' dtype.

    >>> inputs, targets = sliding_windows(np.arange(6.0), window=3, horizon=2)
    >>> inputs[:, :, 0].tolist(), targets[:, :, 0].tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [[3.0, 4.0], [4.0, 5.0]])
    """
    array = np.asarray(series)
    if array.ndim not in (1, 2):
        raise ValueError(f"series must be 1-D (T,) or 2-D (T, features), got shape {array.shape}")
    window = _checks.integer("window", window)
    horizon = _checks.integer("horizon", horizon)
    step = _checks.integer("step", step)
    steps = array.shape[0]
    if steps < window + horizon:
        raise ValueError(
            f"series has {steps} steps, too short for window={window} and "
            f"horizon={horizon} (needs at least {window + horizon})"
        )
    if array.ndim == 1:
        array = array[:, None]
    span = window + horizon
    # (N, features, span) views into the series, then (N, span, features) copies.
    views = np.lib.stride_tricks.sliding_window_view(array, span, axis=0)[::step]
    pairs = np.ascontiguousarray(views.transpose(0, 2, 1))
    return pairs[:, :window].copy(), pairs[:, window:].copy()
