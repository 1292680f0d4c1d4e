"""The book's chapters, listed once.

The README's table of chapters, the table of contents (``_toc.yml``), the comparison chapter,
the tests and the benchmark all read this list; ``tests/test_chapters.py`` checks that the
README and ``_toc.yml`` agree with it. A new chapter is one more entry here.
"""

from dataclasses import dataclass

from aeutils import models


@dataclass(frozen=True)
class Chapter:
    """One chapter: its notebook, one line about it, and what it trains, if anything.

    ``kind`` names the kind of autoencoder the chapter teaches. A chapter that trains another
    chapter's kind in another way has a ``variant`` instead: the name of its model in the
    comparison chapter's table. Both are ``None`` for chapters that load the others' models.
    ``builder`` names the builder in ``aeutils.models``, and ``weights`` the name its full
    run stores the model's weights under (see ``aeutils.training.train``).
    """

    notebook: str
    about: str
    kind: str | None = None
    builder: str | None = None
    weights: str | None = None
    variant: str | None = None

    def build(self, **settings):
        """The chapter's ``(autoencoder, encoder, decoder)``, with its default architecture."""
        if self.builder is None:
            raise ValueError(f"chapter {self.notebook} trains no autoencoder of its own: "
                             f"build one of {sorted(KINDS)} instead")
        return getattr(models, self.builder)(**settings)


CHAPTERS = (
    Chapter("01_dense_autoencoder", "the simple fully-connected autoencoder, 784-32-784",
            "dense", "build_dense", "01_dense_autoencoder.fast"),
    Chapter("02_sparse_autoencoder",
            "L1 activity regularizer; an overcomplete code; codes as features",
            "sparse", "build_sparse", "02_sparse_autoencoder.sparse"),
    Chapter("03_deep_autoencoder", "784-128-64-32-64-128-784 against the shallow model",
            "deep", "build_deep", "03_deep_autoencoder.deep"),
    Chapter("04_convolutional_autoencoder", "a (4, 4, 8) code from convolutions",
            "convolutional", "build_convolutional", "04_convolutional_autoencoder"),
    Chapter("05_denoising_autoencoder", "noisy inputs, clean targets, PSNR",
            "denoising", "build_denoising", "05_denoising_autoencoder"),
    Chapter("06_seq2seq_autoencoder",
            "LSTM + RepeatVector; anomaly detection in a time series",
            "sequence-to-sequence", "build_seq2seq", "06_seq2seq_autoencoder.rows"),
    Chapter("07_variational_autoencoder",
            "the VAE: latent space, generation, interpolation",
            "variational", "build_vae", "07_variational_autoencoder"),
    Chapter("08_latent_space", "PCA and t-SNE of the codes, measured"),
    Chapter("09_which_autoencoder",
            "every kind side by side: the table, error against code size, generation, search"),
    Chapter("10_conditional_vae",
            "a VAE that also sees the label: ask for a digit, measured by a classifier",
            "conditional variational", "build_cvae", "10_conditional_vae"),
    Chapter("11_vq_vae",
            "discrete codes from a learned codebook: usage, bits per image, generation",
            "vector-quantised", "build_vqvae", "11_vq_vae.restarts"),
    Chapter("12_many_devices",
            "data-parallel training on four devices: the same loss as one, batch and learning rate",
            builder="build_convolutional", weights="12_many_devices",
            variant="convolutional, on four devices"),
)
KINDS = {chapter.kind: chapter for chapter in CHAPTERS if chapter.kind}  # in chapter order
# every model that a chapter ships, by the name the comparison chapter's table gives it
TRAINED = {chapter.kind or chapter.variant: chapter for chapter in CHAPTERS if chapter.weights}
