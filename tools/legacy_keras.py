"""The legacy path of the version matrix: `import keras` gives tf_keras, the Keras 2 package.

TensorFlow 2.16 and later ship Keras 3. Code written for Keras 2 keeps running on them through
the `tf-keras` package: with TF_USE_LEGACY_KERAS=1, `tf.keras` is tf_keras. But the snippets say
`import keras`, which stays Keras 3 (TensorFlow requires it). So the matrix copies this module
into the legacy environment's site-packages with legacy_keras.pth, which imports it at start-up,
and `import keras` and `import keras.<name>` then return the modules of tf_keras themselves (one
copy of every module and class), imported when first asked for. It also sets
TF_USE_LEGACY_KERAS=1, so `tf.keras` is the same package. Nothing imports it in the project's own
environment.
"""

import importlib
import importlib.abc
import importlib.util
import os
import sys


class KerasIsTfKeras(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `keras` and `keras.<name>` as the already imported `tf_keras[.<name>]` modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "keras" or fullname.startswith("keras."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("tf_keras" + spec.name.removeprefix("keras"))

    def exec_module(self, module):
        pass  # tf_keras ran it when it was imported


os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
if not any(isinstance(finder, KerasIsTfKeras) for finder in sys.meta_path):
    sys.meta_path.insert(0, KerasIsTfKeras())
