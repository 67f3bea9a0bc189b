# cloudalbum API image (the AWS shape's HTTP tier, run on EC2 by deploy/template.yaml).
# API only: processing runs in Lambda (Dockerfile.lambda), so --workers 0 and no model here.
# Build from the repository root:  docker build -t cloudalbum-api -f Dockerfile .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CLOUDALBUM_BACKEND=aws \
    CLOUDALBUM_ENV=production \
    CLOUDALBUM_WORKERS=0 \
    CLOUDALBUM_DATA_DIR=/home/cloudalbum/data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir . \
    && rm -rf /src/build /src/src/*.egg-info \
    && useradd --create-home --uid 10001 --user-group cloudalbum

USER 10001:10001
WORKDIR /home/cloudalbum
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"]
CMD ["cloudalbum", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "0"]
