"""Bad input gets a clear error, early: one row per mistake a reader may make."""

import numpy as np
import pytest

from aeutils import data, metrics, mnist, models, plots, results, shipped, training
from aeutils.checks import check_images
from aeutils.sizes import SMOKE

GOOD = np.full((4, 784), 0.5, dtype="float32")
IMAGES = np.full((4, 28, 28, 1), 0.5, dtype="float32")
HISTORY = {"loss": [0.3, 0.2]}


def dense():
    autoencoder, _, _ = models.build_dense()
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def with_value(value, index=0):
    bad = GOOD.copy()
    bad[0, index] = value
    return bad


# (what the reader did, the call, the error type, a part of the message)
CASES = [
    # the builders check their sizes (older Keras versions build layers of zero units)
    (
        "code of zero units",
        lambda: models.build_dense(code_dim=0),
        ValueError,
        "code_dim must be a positive integer, got int 0",
    ),
    ("negative code size", lambda: models.build_dense(code_dim=-3), ValueError, "got int -3"),
    ("fractional code size", lambda: models.build_dense(code_dim=2.5), ValueError, "got float 2.5"),
    ("code size as text", lambda: models.build_dense(code_dim="32"), ValueError, "got str '32'"),
    (
        "input of zero values",
        lambda: models.build_dense(input_dim=0),
        ValueError,
        "input_dim must be a positive integer",
    ),
    (
        "a hidden layer of zero units",
        lambda: models.build_deep(hidden=(128, 0)),
        ValueError,
        "hidden must be a tuple of positive integers, got tuple (128, 0)",
    ),
    (
        "zero LSTM units",
        lambda: models.build_seq2seq(units=0),
        ValueError,
        "units must be a positive integer",
    ),
    (
        "zero time steps",
        lambda: models.build_seq2seq(timesteps=0),
        ValueError,
        "timesteps must be a positive integer",
    ),
    (
        "a latent space of zero dimensions",
        lambda: models.build_vae(latent_dim=0),
        ValueError,
        "latent_dim must be a positive integer",
    ),
    (
        "negative L1 penalty",
        lambda: models.build_sparse(l1=-1),
        ValueError,
        "l1 must be a finite number of at least 0.0, got -1",
    ),
    ("no L1 penalty", lambda: models.build_sparse(l1=None), TypeError, "l1 must be a number"),
    ("zero filters", lambda: models.build_denoising(filters=0), ValueError, "filters must be a"),
    ("fractional filters", lambda: models.build_denoising(filters=2.5), ValueError, "float 2.5"),
    (
        "zero code channels",
        lambda: models.build_convolutional(code_channels=0),
        ValueError,
        "code_channels must be a positive integer, got int 0",
    ),
    (
        "code channels given as True",
        lambda: models.build_convolutional(code_channels=True),
        ValueError,
        "code_channels must be a positive integer, got bool True",
    ),
    (
        "a NumPy integer as a size",
        lambda: models.build_dense(code_dim=np.int64(10)),
        ValueError,
        "got int64 np.int64(10); use int(code_dim)",
    ),
    (
        "a code size in a tuple",
        lambda: models.build_dense(code_dim=(32,)),
        ValueError,
        "code_dim must be a positive integer, got tuple (32,)",
    ),
    (
        "an input size in a list",
        lambda: models.build_dense(input_dim=[784]),
        ValueError,
        "input_dim must be a positive integer, got list [784]",
    ),
    (
        "no hidden layers",
        lambda: models.build_deep(hidden=()),
        ValueError,
        "hidden must be a tuple of positive integers, got tuple ()",
    ),
    (
        "one hidden size, not a tuple",
        lambda: models.build_deep(hidden=128),
        ValueError,
        "hidden must be a tuple of positive integers, got int 128",
    ),
    (
        "the VAE's hidden size in a tuple",
        lambda: models.build_vae(hidden=(256,)),
        ValueError,
        "hidden must be a positive integer, got tuple (256,)",
    ),
    (
        "a NumPy integer of features",
        lambda: models.build_seq2seq(features=np.int32(28)),
        ValueError,
        "use int(features)",
    ),
    ("no classes", lambda: models.build_cvae(classes=0), ValueError, "classes must be a positive integer"),
    ("classes as a float", lambda: models.digit_classifier(classes=10.0), ValueError,
     "classes must be a positive integer, got float 10.0"),
    ("a seed as text", lambda: models.build_vae(seed="abc"), TypeError, "seed must be an integer, got str 'abc'"),
    ("a negative seed", lambda: models.build_vae(seed=-1), ValueError, "seed must be at least 0, got -1"),
    # the data helpers
    (
        "flat given as a string",
        lambda: mnist.load_mnist(flat="no"),
        TypeError,
        "flat must be True or False, got str 'no'",
    ),
    (
        "subset of a negative size",
        lambda: data.subset(-1, GOOD),
        ValueError,
        "n must be at least 0, got -1",
    ),
    (
        "subset of a fractional size",
        lambda: data.subset(2.5, GOOD),
        TypeError,
        "n must be an integer, got float 2.5",
    ),
    (
        "subset of a string",
        lambda: data.subset(2, "abcdef"),
        TypeError,
        "array 1 after n must be an array or list, got str 'abcdef'",
    ),
    (
        "subset of a number",
        lambda: data.subset(2, GOOD, 7),
        TypeError,
        "array 2 after n must be an array or list, got int 7",
    ),
    (
        "noise with a seed as text",
        lambda: data.add_noise(GOOD, seed="abc"),
        TypeError,
        "seed must be an integer, got str 'abc'",
    ),
    ("noise with a negative seed", lambda: data.add_noise(GOOD, seed=-2), ValueError, "seed must be at least 0, got -2"),
    ("subset with no arrays", lambda: data.subset(2), ValueError, "at least one array"),
    (
        "images and labels of different lengths",
        lambda: data.subset(2, GOOD, np.arange(3)),
        ValueError,
        "same length, got lengths [4, 3]",
    ),
    (
        "noise on raw uint8 pixels",
        lambda: data.add_noise(np.zeros((2, 784), "uint8")),
        TypeError,
        "scale pixels first",
    ),
    (
        "noise on pixels in [0, 255]",
        lambda: data.add_noise(GOOD * 255),
        ValueError,
        "must lie in [0, 1]",
    ),
    (
        "negative noise",
        lambda: data.add_noise(GOOD, stddev=-0.5),
        ValueError,
        "stddev must be a finite number of at least 0.0, got -0.5",
    ),
    (
        "noise strength as text",
        lambda: data.add_noise(GOOD, stddev="0.5"),
        TypeError,
        "stddev must be a number, got str",
    ),
    (
        "noise on no images",
        lambda: data.add_noise(np.zeros((0, 784), "float32")),
        ValueError,
        "at least one image, got shape (0, 784)",
    ),
    (
        "noise on strings",
        lambda: data.add_noise(["a", "b"]),
        TypeError,
        "must be an array of numbers",
    ),
    # the metric
    (
        "PSNR of images with NaN",
        lambda: metrics.psnr(with_value(np.nan), GOOD),
        ValueError,
        "clean holds 1 NaN or infinite values",
    ),
    (
        "PSNR of images with infinity",
        lambda: metrics.psnr(GOOD, with_value(np.inf)),
        ValueError,
        "other holds 1 NaN or infinite values",
    ),
    (
        "PSNR of images of different sizes",
        lambda: metrics.psnr(GOOD, GOOD[:, :100]),
        ValueError,
        "other must be a batch of 28x28 images (784 pixels each), got shape (4, 100)",
    ),
    (
        "PSNR of different numbers of images",
        lambda: metrics.psnr(GOOD, GOOD[:2]),
        ValueError,
        "got (images, pixels) (4, 784) and (2, 784)",
    ),
    # the figures
    (
        "plotting zero images",
        lambda: plots.plot_rows({"a": GOOD, "b": GOOD}, n=0),
        ValueError,
        "n must be at least 1, got 0",
    ),
    (
        "plotting more images than there are",
        lambda: plots.plot_rows({"original": GOOD, "reconstructed": GOOD}, n=5),
        ValueError,
        "at least n=5 images of 784 pixels, got shape (4, 784)",
    ),
    (
        "plotting images that are not 28x28",
        lambda: plots.plot_rows({"original": GOOD[:, :100]}, n=2),
        ValueError,
        "784 pixels, got shape (4, 100)",
    ),
    (
        "plotting a history without a loss",
        lambda: plots.plot_history({}),
        TypeError,
        "with a 'loss' entry",
    ),
    (
        "plotting 3-D codes in 2-D",
        lambda: plots.plot_codes_2d(np.zeros((4, 3)), np.arange(4)),
        ValueError,
        "points must have shape (n, 2) and one label each, got (4, 3) and 4 labels",
    ),
    (
        "a row of raw uint8 pixels",
        lambda: plots.plot_rows({"raw": np.zeros((2, 784), "uint8")}),
        TypeError,
        "raw must hold floats in [0, 1], got dtype uint8",
    ),
    (
        "PSNR of an empty batch",
        lambda: metrics.psnr(GOOD[:0], GOOD[:0]),
        ValueError,
        "clean must be a batch of 28x28 images (784 pixels each), got shape (0, 784)",
    ),
    (
        "PSNR of one image, not a batch",
        lambda: metrics.psnr(GOOD[0], GOOD[1]),
        ValueError,
        "clean must be a batch of 28x28 images (784 pixels each), got shape (784,)",
    ),
    (
        "PSNR of one 28x28 image, not a batch",
        lambda: metrics.psnr(IMAGES[:1, :, :, 0], IMAGES[1, :, :, 0]),
        ValueError,
        "other must be a batch of 28x28 images (784 pixels each), got shape (28, 28); for one",
    ),
    (
        "PSNR of one 28x28x1 image, not a batch",
        lambda: metrics.psnr(IMAGES[:1], IMAGES[1]),
        ValueError,
        "other must be a batch of 28x28 images (784 pixels each), got shape (28, 28, 1)",
    ),
    (
        "plotting a reconstruction of one image, not a batch",
        lambda: plots.plot_rows({"originals": GOOD[0]}, n=1),
        ValueError,
        "originals must be a batch of images",
    ),
    ("rows of nothing", lambda: plots.plot_rows({}), ValueError, "rows must be a dict {label: images}"),
    ("rows as a list", lambda: plots.plot_rows([GOOD]), ValueError, "rows must be a dict"),
    ("a row of zero images", lambda: plots.plot_rows({"a": GOOD}, n=0), ValueError, "n must be at least 1, got 0"),
    ("a row of -1 images", lambda: plots.plot_rows({"a": GOOD}, n=-1), ValueError, "got -1"),
    (
        "a row of 2.5 images",
        lambda: plots.plot_rows({"a": GOOD}, n=2.5),
        TypeError,
        "n must be an integer, got float 2.5",
    ),
    (
        "a row longer than its images",
        lambda: plots.plot_rows({"a": GOOD}, n=5),
        ValueError,
        "a must hold at least n=5 images of 784 pixels, got shape (4, 784)",
    ),
    (
        "a validation curve shorter than the training one",
        lambda: plots.plot_history({"loss": [0.3, 0.2], "val_loss": [0.3]}),
        ValueError,
        "one value per epoch each, got lengths {'loss': 2, 'val_loss': 1}",
    ),
    (
        "codes that diverged to NaN",
        lambda: plots.plot_codes_2d(np.array([[0.0, np.nan], [1.0, 1.0]]), [1, 2]),
        ValueError,
        "points hold 1 NaN or infinite values",
    ),
    (
        "labels that are not digits",
        lambda: plots.plot_codes_2d(np.zeros((2, 2)), [3, 12]),
        ValueError,
        "labels must be digits 0 to 9, got [ 3 12]",
    ),
    # training
    (
        "a validation split above 1",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, validation_split=1.5),
        ValueError,
        "validation_split must be below 1, got 1.5",
    ),
    (
        "a negative validation split",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, validation_split=-0.5),
        ValueError,
        "validation_split must be a finite number of at least 0.0, got -0.5",
    ),
    (
        "a validation split and validation data",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, validation_split=0.5,
                               validation_data=(GOOD, GOOD)),
        ValueError,
        "give validation_data or validation_split, not both",
    ),
    (
        "a run size given as text to train",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, size="smoke"),
        TypeError,
        "size must be a RunSize such as run_size(), got str 'smoke'",
    ),
    (
        "a weights name without a run size",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, name="01_x"),
        ValueError,
        "name='01_x' stores the weights the book ships: pass size=run_size() too",
    ),
    (
        "a weights name that is a path",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, name="../weights/x"),
        ValueError,
        "name must be a plain file name",
    ),
    (
        "training on one image, not a batch",
        lambda: training.train(dense(), GOOD[0], epochs=1, batch_size=2),
        ValueError,
        "x must be a batch of images",
    ),
    (
        "training a model that was not compiled",
        lambda: training.train(models.build_dense()[0], GOOD, epochs=1, batch_size=2),
        ValueError,
        "model must be compiled before training: model.compile(optimizer=..., loss=...)",
    ),
    (
        "a backup_dir that is a file",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size=2, backup_dir=__file__),
        ValueError,
        "backup_dir must be a folder, got the file",
    ),
    (
        "loading shipped weights by a path",
        lambda: shipped.load_shipped(dense(), "../x"),
        ValueError,
        "name must be a plain file name",
    ),
    (
        "training on the wrong shape",
        lambda: training.train(dense(), IMAGES, epochs=1, batch_size=2),
        ValueError,
        "x must have shape (n, 784), got (4, 28, 28, 1)",
    ),
    (
        "training on pixels in [0, 255]",
        lambda: training.train(dense(), GOOD * 255, epochs=1, batch_size=2),
        ValueError,
        "got values from 127.5 to 127.5",
    ),
    (
        "training on integers",
        lambda: training.train(dense(), np.ones((4, 784), "int64"), epochs=1, batch_size=2),
        TypeError,
        "x must hold floats in [0, 1], got dtype int64",
    ),
    (
        "training on no data",
        lambda: training.train(dense(), GOOD[:0], epochs=1, batch_size=2),
        ValueError,
        "at least one image",
    ),
    (
        "targets of another length",
        lambda: training.train(dense(), GOOD, GOOD[:2], epochs=1, batch_size=2),
        ValueError,
        "as many samples, got 4 and 2",
    ),
    (
        "validation data with NaN",
        lambda: training.train(
            dense(), GOOD, epochs=1, batch_size=2, validation_data=(with_value(np.nan), GOOD)
        ),
        ValueError,
        "validation x holds 1 NaN",
    ),
    (
        "zero epochs",
        lambda: training.train(dense(), GOOD, epochs=0, batch_size=2),
        ValueError,
        "epochs must be at least 1, got 0",
    ),
    (
        "a batch size as text",
        lambda: training.train(dense(), GOOD, epochs=1, batch_size="32"),
        TypeError,
        "batch_size must be an integer, got str '32'",
    ),
    (
        "a run size of zero epochs",
        lambda: SMOKE.epochs(0),
        ValueError,
        "full must be at least 1, got 0",
    ),
    # results files
    (
        "a chapter name that is a path",
        lambda: results.save_results("../elsewhere", SMOKE, test_loss=0.1),
        ValueError,
        "plain file name",
    ),
    (
        "an empty chapter name",
        lambda: results.save_results("", SMOKE),
        ValueError,
        "plain file name",
    ),
    (
        "a run size given as text",
        lambda: results.save_results("01_x", "full"),
        TypeError,
        "size must be a RunSize",
    ),
    (
        "a loss that diverged",
        lambda: results.save_results("01_x", SMOKE, test_loss=float("nan")),
        ValueError,
        "metric test_loss is NaN",
    ),
    (
        "a metric that overwrites the hardware",
        lambda: results.save_results("01_x", SMOKE, hardware="my laptop"),
        ValueError,
        "metric names ['hardware'] are recorded by save_results itself",
    ),
    (
        "a metric that overwrites the date",
        lambda: results.save_results("01_x", SMOKE, date="2020-01-01"),
        ValueError,
        "metric names ['date'] are recorded",
    ),
    (
        "a NumPy number that Python's numbers cannot hold",
        lambda: results.save_results("01_x", SMOKE, loss=np.longdouble(0.5)),
        TypeError,
        "metric loss must be a number, string, list or dict, got longdouble",
    ),
    (
        "a list of losses with one that diverged",
        lambda: results.save_results("01_x", SMOKE, losses=[np.float32(1.0), np.float32("nan")]),
        ValueError,
        "metric losses is [1.0, NaN]",
    ),
    (
        "results read by a path",
        lambda: results.load_results("../01_x"),
        ValueError,
        "name must be a plain file name",
    ),
    (
        "a metric that is a model",
        lambda: results.save_results("01_x", SMOKE, model=dense()),
        TypeError,
        "metric model must be a number",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_gets_a_clear_error(call, error, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a results file written by mistake lands here, not in the repo
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
    assert not any(tmp_path.rglob("*.json"))


def test_there_are_at_least_75_cases():
    assert len(CASES) >= 75


def test_good_input_passes_the_checks_unchanged():
    np.testing.assert_array_equal(check_images(GOOD, sample_shape=(784,)), GOOD)
    assert check_images([[0.0, 1.0]]).shape == (1, 2)
    history = training.train(dense(), GOOD, epochs=2, batch_size=2)
    assert len(history.history["loss"]) == 2


def test_every_builder_of_the_package_checks_its_arguments():
    builders = [name for name in dir(models) if name.startswith("build_")]
    assert len(builders) >= 7
    for name in builders:
        assert hasattr(getattr(models, name), "__wrapped__"), f"{name} is not checked"
