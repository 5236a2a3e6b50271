# Rowscan: the web app and API with the committed models.
#   docker build -t rowscan .                          CPU image (default)
#   docker build -t rowscan:gpu --build-arg VARIANT=gpu .   TensorFlow with its CUDA libraries
#   docker run -p 8000:8000 rowscan                    then open http://127.0.0.1:8000
# The install is the README's: `pip install -e .` (with the `gpu` extra for the GPU variant).
FROM python:3.11-slim

ARG VARIANT=cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    ROWSCAN_HOST=0.0.0.0 \
    ROWSCAN_PORT=8000

RUN useradd --create-home --uid 10001 rowscan
WORKDIR /srv/rowscan

COPY pyproject.toml README.md ./
COPY app ./app
COPY model ./model
COPY templates ./templates
COPY static ./static
RUN if [ "$VARIANT" = "gpu" ]; then pip install -e '.[gpu]'; else pip install -e .; fi

USER rowscan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"
CMD ["rowscan", "serve"]
