# syntax=docker/dockerfile:1
# Taskdeck container image: a release build of the server and its browser assets on a small Debian.
#   docker build -t taskdeck .
#   docker run -p 3000:3000 -v taskdeck-data:/data taskdeck                   (SQLite in the volume)
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… -e APP_URL=https://… taskdeck
#
# Needs BuildKit (docker buildx; the default builder since Docker 23), which builds only the
# stages the target uses. One recipe for the runtime stage, two ways to feed it:
#   - here (the default, and on GitHub): the `build` stage compiles everything and `slim-base`
#     is debian:bookworm-slim with ca-certificates, tini and the taskdeck user;
#   - deploy/image/build.sh (machines with no registry and no Rust inside containers): BASE is a
#     root filesystem made by deploy/image/rootfs.sh from Debian's packages, and ARTIFACTS=prebuilt
#     copies the binary and site built on the host:
#       podman build --target runtime --build-arg BASE=localhost/taskdeck-base:KEY \
#         --build-arg ARTIFACTS=prebuilt -f Dockerfile DIR_WITH_taskdeck_hash.txt_AND_site
ARG BASE=slim-base
ARG ARTIFACTS=build

FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
# Build tools first (cargo-leptos, wasm-bindgen, wasm-opt), so they are cached across source changes.
COPY rust-toolchain.toml Cargo.lock ./
COPY scripts/tools.sh scripts/tools.sh
COPY end2end/package.json end2end/package-lock.json end2end/
RUN bash -c 'source scripts/tools.sh && ensure_build_tools'
COPY . .
RUN scripts/build-release \
 && deploy/image/split-debug.sh target/release/taskdeck /out \
 && cp target/release/hash.txt /out/hash.txt \
 && cp -r target/site /out/site

# Sentry's debug files: the server's line tables and symbols, and the WASM bundle
# (`docker build --target debug-files -o debug-files .`; deploy.yml uploads them).
FROM scratch AS debug-files
COPY --from=build /out/taskdeck.debug /taskdeck.debug
COPY --from=build /out/site/pkg /pkg

# The files built on the host (deploy/image/build.sh puts `taskdeck`, `hash.txt` and `site/` in
# the context).
FROM scratch AS prebuilt
COPY taskdeck /out/taskdeck
COPY hash.txt /out/hash.txt
COPY site /out/site

FROM ${ARTIFACTS} AS artifacts

# What deploy/image/rootfs.sh gives the local base: CA certificates, tini, the taskdeck user
# (uid/gid 10001, no shell, no password) and /data owned by it.
FROM debian:bookworm-slim AS slim-base
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && echo 'taskdeck:x:10001:10001:Taskdeck:/app:/usr/sbin/nologin' >>/etc/passwd \
 && echo 'taskdeck:x:10001:' >>/etc/group \
 && mkdir -p /data /app && chown 10001:10001 /data

# The runtime stage: no RUN, so it needs neither apt nor a shell in its base.
FROM ${BASE} AS runtime
WORKDIR /app
COPY --from=artifacts /out/taskdeck /usr/local/bin/taskdeck
COPY --from=artifacts /out/site /app/site
# Which content-hashed file names in /app/site are this build's (LEPTOS_HASH_FILE_NAME below).
COPY --from=artifacts /out/hash.txt /app/hash.txt
USER 10001:10001
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_HASH_FILE_NAME=/app/hash.txt \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_ENV=PROD \
    DATABASE_URL=sqlite:///data/taskdeck.db?mode=rwc \
    BACKUP_DIR=/data/backups \
    LOG_FORMAT=json
# The root filesystem is read-only: the database (on SQLite), its snapshots and the backup taken
# before migrating all live in the volume.
VOLUME /data
EXPOSE 3000
# Liveness only: a database outage should take the instance out of rotation (/readyz), not
# restart it.
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["/usr/local/bin/taskdeck", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/taskdeck"]
CMD ["serve"]
