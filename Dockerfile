# syntax=docker/dockerfile:1
# Taskdeck container image: a release build of the server and its browser assets on Debian slim.
#   docker build -t taskdeck .
#   docker run -p 3000:3000 -v taskdeck-data:/data taskdeck                   (SQLite in the volume)
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… -e APP_URL=https://… taskdeck

FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
# Build tools first (cargo-leptos, wasm-bindgen, wasm-opt), so they are cached across source changes.
COPY rust-toolchain.toml Cargo.lock ./
COPY scripts/tools.sh scripts/tools.sh
COPY end2end/package.json end2end/package-lock.json end2end/
RUN bash -c 'source scripts/tools.sh && ensure_build_tools'
COPY . .
RUN bash -c 'source scripts/tools.sh && cargo leptos build --release' \
 && mkdir -p /out \
 && cp target/release/taskdeck /out/ \
 && cp -r target/site /out/site

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app taskdeck \
 && mkdir -p /data && chown taskdeck /data
WORKDIR /app
COPY --from=build /out/taskdeck /usr/local/bin/taskdeck
COPY --from=build /out/site /app/site
USER taskdeck
ENV LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_ENV=PROD \
    DATABASE_URL=sqlite:///data/taskdeck.db?mode=rwc \
    LOG_FORMAT=json
VOLUME /data
EXPOSE 3000
# Liveness only: a database outage should take the instance out of rotation (/readyz), not
# restart it.
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["taskdeck", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "taskdeck"]
CMD ["serve"]
