import os

# Benchmarks run the processes on this machine with a file or log sender where they need no real relay:
# the development environment, as `make run` and the tests use (production refuses to start without one).
os.environ.setdefault("RAKOR_ENV", "dev")
# The join links the notification benchmarks publish lie under this base; notification sends only those.
os.environ.setdefault("PUBLIC_BASE_URL", "https://rakor.example.go.id")
