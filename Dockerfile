# syntax=docker/dockerfile:1
# One image for admin-service, teacher-service and student-service: the
# container's command picks the service (kubernetes/base does so), e.g.
#   docker build --tag edu-platform:dev .
#   docker run edu-platform:dev gunicorn \
#     --config=python:edu_common.gunicorn_conf teacher_svc.wsgi

# Both stages start from Python 3.11 on Debian 12 at an exact patch release
# (keep the two FROM lines alike). A release build also pins the digest:
# python:3.11.14-slim-bookworm@sha256:<digest from the registry>.

# -- build: the virtual environment, the code and its static files ---------
FROM python:3.11.14-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies first: this layer is reused until a pin changes.
COPY requirements/base.txt requirements/base.txt
RUN pip install --requirement requirements/base.txt

COPY libs libs
RUN pip install ./libs

COPY . .

# Static files are collected here, once per service, with DEBUG on so that
# no secret is needed; whitenoise serves them from STATIC_ROOT at run time.
# The code is compiled now: the running container cannot write bytecode.
RUN for package in admin_svc teacher_svc student_svc; do \
        DEBUG=true python "$package/manage.py" collectstatic --noinput -v0 \
        || exit 1; \
    done \
    && python -m compileall -q admin_svc teacher_svc student_svc manage_all.py \
    && rm -rf .local libs \
    && pip uninstall --yes pip setuptools

# -- runtime: no compiler, no pip in the venv, code owned by root -----------
FROM python:3.11.14-slim-bookworm AS runtime

# The same fixed, high user id as the pods' securityContext.
RUN groupadd --system --gid 10001 edu \
    && useradd --system --uid 10001 --gid edu --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin edu

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HTTP_PORT=8080

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app

USER 10001:10001
EXPOSE 8080

# For docker run and compose; Kubernetes uses its own probes on the same URL.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['HTTP_PORT'] + '/health', timeout=4)"]

CMD ["gunicorn", "--config=python:edu_common.gunicorn_conf", "admin_svc.wsgi"]
