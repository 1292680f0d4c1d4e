"""Builders for every autoencoder in the book.

Each builder returns ``(autoencoder, encoder, decoder)``: three Keras models that
share their layers, so training the autoencoder trains the other two.
With default arguments each has the architecture its chapter teaches.

Functions marked ``#@save`` in a chapter are copied here by ``tools/export.py``;
``tests/test_export.py`` fails when this file and the chapters differ.
"""

import inspect

import keras
from keras import layers, ops

from aeutils.checks import check_number, check_seed, check_size, check_sizes, checked


def build_dense(input_dim=784, code_dim=32, activity_regularizer=None):
    """A fully-connected autoencoder, input_dim -> code_dim -> input_dim (chapter 1)."""
    check_sizes(input_dim=input_dim, code_dim=code_dim)
    encoder = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            layers.Dense(code_dim, activation="relu", activity_regularizer=activity_regularizer),
        ],
        name="encoder",
    )
    decoder = keras.Sequential(
        [keras.Input(shape=(code_dim,)), layers.Dense(input_dim, activation="sigmoid")],
        name="decoder",
    )
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


def build_sparse(input_dim=784, code_dim=32, l1=1e-4):
    """A dense autoencoder whose code is pushed towards zero by an L1 activity penalty.

    The classic code writes the penalty as ``10e-5``, which is 1e-4.
    """
    return build_dense(input_dim, code_dim, activity_regularizer=keras.regularizers.L1(l1))


def build_deep(input_dim=784, hidden=(128, 64), code_dim=32):
    """A stacked autoencoder, 784-128-64-32-64-128-784 by default."""
    check_sizes(input_dim=input_dim, hidden=hidden, code_dim=code_dim)
    encoder = keras.Sequential(
        [keras.Input(shape=(input_dim,))]
        + [layers.Dense(units, activation="relu") for units in (*hidden, code_dim)],
        name="encoder",
    )
    decoder = keras.Sequential(
        [keras.Input(shape=(code_dim,))]
        + [layers.Dense(units, activation="relu") for units in reversed(hidden)]
        + [layers.Dense(input_dim, activation="sigmoid")],
        name="decoder",
    )
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


def build_convolutional(code_channels=8):
    """A convolutional autoencoder for 28x28x1 images with a (4, 4, code_channels) code.

    The decoder's one ``valid`` convolution turns 16x16 into 14x14, so that
    upsampling ends at 28x28 rather than 32x32.
    """
    encoder = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2, padding="same"),
            layers.Conv2D(8, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2, padding="same"),
            layers.Conv2D(code_channels, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2, padding="same"),
        ],
        name="encoder",
    )
    decoder = keras.Sequential(
        [
            keras.Input(shape=(4, 4, code_channels)),
            layers.Conv2D(8, 3, activation="relu", padding="same"),
            layers.UpSampling2D(2),
            layers.Conv2D(8, 3, activation="relu", padding="same"),
            layers.UpSampling2D(2),
            layers.Conv2D(16, 3, activation="relu"),
            layers.UpSampling2D(2),
            layers.Conv2D(1, 3, activation="sigmoid", padding="same"),
        ],
        name="decoder",
    )
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


def build_denoising(filters=32):
    """The convolutional denoising autoencoder: 28x28x1 -> (7, 7, filters) -> 28x28x1."""
    encoder = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(filters, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2, padding="same"),
            layers.Conv2D(filters, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2, padding="same"),
        ],
        name="encoder",
    )
    decoder = keras.Sequential(
        [
            keras.Input(shape=(7, 7, filters)),
            layers.Conv2D(filters, 3, activation="relu", padding="same"),
            layers.UpSampling2D(2),
            layers.Conv2D(filters, 3, activation="relu", padding="same"),
            layers.UpSampling2D(2),
            layers.Conv2D(1, 3, activation="sigmoid", padding="same"),
        ],
        name="decoder",
    )
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


def build_seq2seq(timesteps=28, features=28, units=64):
    """An LSTM sequence autoencoder: LSTM encoder, RepeatVector, LSTM decoder, Dense per step."""
    check_sizes(timesteps=timesteps, features=features, units=units)
    encoder = keras.Sequential(
        [keras.Input(shape=(timesteps, features)), layers.LSTM(units)], name="encoder"
    )
    decoder = keras.Sequential(
        [
            keras.Input(shape=(units,)),
            layers.RepeatVector(timesteps),
            layers.LSTM(units, return_sequences=True),
            layers.Dense(features, activation="sigmoid"),
        ],
        name="decoder",
    )
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


@keras.saving.register_keras_serializable(package="aeutils")
class Sampling(layers.Layer):
    """Draws ``z = mean + exp(log_var / 2) * eps`` and adds the KL divergence to the losses."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
        self.add_loss(ops.mean(kl))
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="aeutils")
def summed_binary_crossentropy(y_true, y_pred):
    """Binary cross-entropy summed over the values of each sample (nats per image)."""
    return ops.sum(ops.binary_crossentropy(y_true, y_pred), axis=-1)


def build_vae(input_dim=784, hidden=256, latent_dim=2, seed=None):
    """A variational autoencoder: the encoder returns ``[z_mean, z_log_var, z]``.

    Train it with ``loss=summed_binary_crossentropy``; the ``Sampling`` layer adds the
    KL term, so the total is the negative evidence lower bound per image.
    """
    check_sizes(input_dim=input_dim, hidden=hidden, latent_dim=latent_dim)
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(hidden, activation="relu")(inputs)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    z = Sampling(seed=seed, name="z")([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")
    decoder = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(hidden, activation="relu"),
            layers.Dense(input_dim, activation="sigmoid"),
        ],
        name="decoder",
    )
    autoencoder = keras.Model(inputs, decoder(encoder(inputs)[2]), name="vae")
    return autoencoder, encoder, decoder


def _like_defaults(build):
    """A check of ``build``'s arguments by the kind of each default: an ``int`` takes a
    positive ``int``, a tuple a tuple of them, a float a number of at least 0, and ``seed``
    ``None`` or a whole number of at least 0."""
    defaults = {name: p.default for name, p in inspect.signature(build).parameters.items()}

    def check(**arguments):
        for name, value in arguments.items():
            if name == "seed":
                check_seed(value)
            elif isinstance(defaults[name], (int, tuple)):
                check_size(value, name, many=isinstance(defaults[name], tuple))
            elif isinstance(defaults[name], float):
                check_number(value, name)

    return check


# The builders above are the chapters' cells, as taught; the package checks their arguments.
build_dense, build_sparse, build_deep, build_convolutional, build_denoising, build_seq2seq, \
    build_vae = (checked(build, _like_defaults(build)) for build in (
        build_dense, build_sparse, build_deep, build_convolutional, build_denoising,
        build_seq2seq, build_vae))
