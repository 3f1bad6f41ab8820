"""One module per family of operators; importing this package registers every task."""

from pixtask.tasks.families import (  # noqa: F401  (imported for registration)
    blur,
    compression,
    degradations,
    enhancement,
    features,
    mixture,
    noise,
    stylization,
    tone,
    weather,
)
