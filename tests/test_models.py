"""The builders: shapes, parameter counts, training that learns, and saving."""

import inspect

import keras
import numpy as np
import pytest

from aeutils import models

# builder, parameter count with default arguments, input shape of one sample
BUILDERS = [
    (models.build_dense, 50_992, (784,)),
    (models.build_sparse, 50_992, (784,)),
    (models.build_deep, 222_384, (784,)),
    (models.build_convolutional, 4_385, (28, 28, 1)),
    (models.build_denoising, 28_353, (28, 28, 1)),
    (models.build_seq2seq, 58_652, (28, 28)),
    (models.build_vae, 404_244, (784,)),
    (models.build_cvae, 409_364, (784,)),  # and the one-hot label, a second input
    (models.build_vqvae, 12_681, (784,)),  # 5,064 + 7,105 + a codebook of 64 x 8
]
VARIATIONAL = (models.build_vae, models.build_cvae)
IDS = [b.__name__ for b, _, _ in BUILDERS]


def synthetic_images(shape, n=64, seed=0):
    """``n`` copies of four random black-and-white patterns: easy to learn, unlike noise."""
    rng = np.random.default_rng(seed)
    patterns = (rng.random((4, *shape)) > 0.7).astype("float32")
    return patterns[rng.integers(0, 4, size=n)]


def inputs(builder, x):
    """What the builder's autoencoder takes: the images, and for the conditional VAE a label
    for each of the four patterns, one-hot."""
    if builder is not models.build_cvae:
        return x
    _, pattern = np.unique(x, axis=0, return_inverse=True)
    return [x, np.eye(10, dtype="float32")[pattern.ravel()]]


def compiled(builder):
    keras.utils.set_random_seed(0)
    autoencoder, encoder, decoder = builder()
    loss = models.summed_binary_crossentropy if builder in VARIATIONAL else "binary_crossentropy"
    autoencoder.compile(optimizer=keras.optimizers.Adam(3e-3), loss=loss)
    return autoencoder, encoder, decoder


@pytest.mark.parametrize(("builder", "params", "shape"), BUILDERS, ids=IDS)
def test_default_architecture(builder, params, shape):
    autoencoder, encoder, decoder = builder()
    assert autoencoder.count_params() == params
    images_shape = (autoencoder.input_shape[0] if builder is models.build_cvae
                    else autoencoder.input_shape)
    assert images_shape == (None, *shape)
    assert autoencoder.output_shape == (None, *shape)
    code_shape = encoder.output_shape[-1] if builder in VARIATIONAL else encoder.output_shape
    if builder is models.build_cvae:  # the code and the label
        assert autoencoder.input_shape == [(None, 784), (None, 10)]
        code_shape = [code_shape, (None, 10)]
    assert decoder.input_shape == code_shape  # a VAE decodes z, its encoder's last output


def test_code_sizes():
    assert models.build_dense()[1].output_shape == (None, 32)
    assert models.build_deep()[1].output_shape == (None, 32)
    assert models.build_convolutional()[1].output_shape == (None, 4, 4, 8)
    assert models.build_denoising()[1].output_shape == (None, 7, 7, 32)
    assert models.build_seq2seq()[1].output_shape == (None, 64)
    assert [s for s in models.build_vae()[1].output_shape] == [(None, 2)] * 3
    assert [s for s in models.build_cvae()[1].output_shape] == [(None, 2)] * 3
    assert models.build_vqvae()[1].output_shape == (None, 7, 7, 8)  # before quantisation


def test_no_builder_has_a_bool_default():
    """The package checks a builder's arguments by the kind of each default
    (``models._like_defaults``), which has no rule for True and False: it would refuse them."""
    for builder in [b for b, _, _ in BUILDERS] + [models.digit_classifier]:
        defaults = [p.default for p in inspect.signature(builder).parameters.values()]
        assert not any(isinstance(d, bool) for d in defaults), builder.__name__


def test_arguments_change_the_architecture():
    assert models.build_dense(input_dim=64, code_dim=8)[0].count_params() == 64 * 8 + 8 + 8 * 64 + 64
    assert models.build_deep(hidden=(16,), code_dim=4)[1].output_shape == (None, 4)
    assert models.build_vae(latent_dim=3)[2].input_shape == (None, 3)
    assert models.build_cvae(latent_dim=3, classes=4)[2].input_shape == [(None, 3), (None, 4)]


@pytest.mark.parametrize(("builder", "params", "shape"), BUILDERS, ids=IDS)
def test_a_few_steps_of_training_lower_the_loss(builder, params, shape):
    x = synthetic_images(shape)
    autoencoder, _, _ = compiled(builder)
    before = autoencoder.evaluate(inputs(builder, x), x, verbose=0)
    many = np.concatenate([x] * 30)  # 120 steps in one epoch, without 30 epochs' own cost
    history = autoencoder.fit(inputs(builder, many), many, batch_size=16, verbose=0)
    after = autoencoder.evaluate(inputs(builder, x), x, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    # at least 5% lower on every backend and seed tried (0 to 2): the small convolutional
    # model is the slowest, about 10% to 20% lower after these 120 steps
    assert after < 0.95 * before


def test_sparse_penalty_is_in_the_loss():
    x = synthetic_images((784,))
    plain, _, _ = compiled(models.build_dense)
    sparse, _, _ = compiled(lambda: models.build_sparse(l1=1.0))
    assert sparse.evaluate(x, x, verbose=0) > plain.evaluate(x, x, verbose=0) + 0.1


def test_vae_adds_the_kl_divergence():
    keras.utils.set_random_seed(0)
    vae, encoder, _ = models.build_vae(seed=1)
    x = synthetic_images((784,), n=8)
    z_mean, z_log_var, z = (keras.ops.convert_to_numpy(t) for t in encoder(x))  # any backend
    kl = -0.5 * np.sum(1 + z_log_var - z_mean**2 - np.exp(z_log_var), axis=-1).mean()
    assert len(encoder.losses) == 1
    assert float(encoder.losses[0]) == pytest.approx(kl, rel=1e-5)
    assert kl > 0


@pytest.mark.parametrize(("builder", "params", "shape"), BUILDERS, ids=IDS)
def test_saved_model_reloads_to_the_same_outputs_and_optimizer(builder, params, shape, tmp_path):
    x = inputs(builder, synthetic_images(shape, n=8))
    autoencoder, encoder, decoder = compiled(builder)
    # weights and optimizer state that no seed makes, as a fit leaves them (without the cost
    # of compiling a training step): a reload that re-initialised either would differ
    rng = np.random.default_rng(1)
    autoencoder.set_weights([w + rng.normal(0, 0.01, w.shape) for w in autoencoder.get_weights()])
    autoencoder.optimizer.build(autoencoder.trainable_variables)
    for variable in autoencoder.optimizer.variables:
        variable.assign(rng.integers(1, 100, variable.shape).astype(variable.dtype))
    path = tmp_path / "model.keras"
    autoencoder.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    for saved, loaded in zip(autoencoder.optimizer.variables, reloaded.optimizer.variables,
                             strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded),
                                      keras.ops.convert_to_numpy(saved))
    if builder in VARIATIONAL:  # sampling is random: compare the means, and their decoding
        z_mean = encoder.predict(x, verbose=0)[0]
        np.testing.assert_allclose(reloaded.get_layer("encoder").predict(x, verbose=0)[0],
                                   z_mean, rtol=1e-6, atol=1e-6)
        codes = [z_mean, x[1]] if builder is models.build_cvae else z_mean
        expected = decoder.predict(codes, verbose=0)
        got = reloaded.get_layer("decoder").predict(codes, verbose=0)
    else:
        expected, got = autoencoder.predict(x, verbose=0), reloaded.predict(x, verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_a_model_file_with_code_in_it_is_refused(tmp_path):
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Lambda(lambda t: t * 2)(inputs)  # a Lambda layer stores Python code
    path = tmp_path / "stranger.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.saving.load_model(path)  # safe_mode=True is the default


def test_the_conditional_vae_decodes_the_label_it_is_given():
    """Its decoder's output depends on the label: the same code, two labels, two images."""
    _, _, decoder = models.build_cvae()
    code = np.zeros((2, 2), dtype="float32")
    images = decoder.predict([code, np.eye(10, dtype="float32")[[3, 8]]], verbose=0)
    assert np.abs(images[0] - images[1]).max() > 1e-3


def test_the_digit_classifier_takes_flat_images_and_learns():
    keras.utils.set_random_seed(0)
    classifier = models.digit_classifier()
    x = synthetic_images((784,))
    _, pattern = np.unique(x, axis=0, return_inverse=True)
    y = np.eye(10, dtype="float32")[pattern.ravel()]
    classifier.compile(optimizer=keras.optimizers.Adam(3e-3), loss="categorical_crossentropy")
    before = classifier.evaluate(x, y, verbose=0)
    classifier.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert classifier.output_shape == (None, 10) and classifier.evaluate(x, y, verbose=0) < 0.5 * before


def test_the_quantizer_picks_the_nearest_entries_and_passes_gradients_straight_through():
    quantizer = models.VectorQuantizer(num_codes=3, beta=0.5)
    quantizer.build((None, 2))
    codebook = np.array([[0, 0], [1, 1], [-2, 0]], dtype="float32")
    quantizer.codebook.assign(codebook)
    z = np.array([[[0.9, 1.2], [-1.5, 0.1]], [[0.1, -0.2], [1.0, 0.4]]], dtype="float32")  # 2x2x2
    nearest = np.array([[1, 2], [0, 1]])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(quantizer.indices(z)), nearest)
    out = keras.ops.convert_to_numpy(quantizer(z))
    np.testing.assert_allclose(out, codebook[nearest], atol=1e-6)
    # codebook loss + beta * commitment loss, both the same squared distance in value:
    # summed over each image's grid, averaged over the images
    distance = np.mean(np.sum((z - codebook[nearest]) ** 2, axis=(1, 2)))
    assert float(quantizer.losses[0]) == pytest.approx(1.5 * distance, rel=1e-5)


def test_the_quantizers_gradient_reaches_the_encoder_as_if_there_were_no_quantisation():
    inputs = keras.Input(shape=(7, 7, 8))
    quantizer = models.VectorQuantizer(num_codes=4)
    model = keras.Model(inputs, quantizer(inputs))
    z = np.random.default_rng(0).normal(size=(2, 7, 7, 8)).astype("float32")
    weights = np.random.default_rng(1).normal(size=(2, 7, 7, 8)).astype("float32")
    gradient = input_gradient(model, z, weights)
    np.testing.assert_allclose(gradient, weights, rtol=1e-5)  # d(sum(w * out))/dz = w


def input_gradient(model, z, weights):
    """The gradient of ``sum(weights * model(z))`` with respect to ``z``, on any backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        z = tf.constant(z)
        with tf.GradientTape() as tape:
            tape.watch(z)
            total = tf.reduce_sum(weights * model(z))
        return tape.gradient(total, z).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda t: (weights * model(t)).sum())(z))
    import torch

    z = torch.tensor(z, requires_grad=True)
    (torch.tensor(weights) * model(z)).sum().backward()
    return z.grad.numpy()
