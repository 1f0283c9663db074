# SPDX-License-Identifier: Apache-2.0
# tone.py make FILE HZ SECONDS  -> 8 kHz mono S16 WAV with a sine
# tone.py peak FILE             -> "<peak Hz> <share of the spectrum at the peak> <samples>"
import sys
import wave

import numpy as np

if sys.argv[1] == "make":
    rate, hz, secs = 8000, float(sys.argv[3]), float(sys.argv[4])
    t = np.arange(int(rate * secs)) / rate
    x = (0.5 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    with wave.open(sys.argv[2], "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(x.tobytes())
else:
    with wave.open(sys.argv[2]) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
        rate = w.getframerate()
    nz = np.nonzero(x)[0]  # silence before media starts and after it stops is not part of the tone
    x = x[nz[0] : nz[-1] + 1] if len(nz) else x[:0]
    if len(x) < 800:
        print("0 0 %d" % len(x))
        sys.exit(0)
    s = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    f = np.fft.rfftfreq(len(x), 1.0 / rate)
    k = int(np.argmax(s[1:])) + 1
    print("%.1f %.3f %d" % (f[k], s[k] / (s.sum() + 1e-9), len(x)))
