#!/usr/bin/env python3
"""Cross-file facts of Taskdeck's deploy descriptions, which no schema can check: that the
Kubernetes manifests, Compose, fly.toml, the Caddyfile, the Dockerfile and the workflows agree
with each other and with what the server really does (server/src).

Usage: facts.py ROOT RENDERED_DIR
  ROOT          the repository (or a copy of its deploy files, as break-test.sh makes)
  RENDERED_DIR  holds production.yaml, preview.yaml and migrate.yaml: `kubectl kustomize` of
                deploy/kubernetes/overlays/{production,preview} and deploy/kubernetes/migrate
Prints one line per failed fact and a count; exits 1 if any fact fails.
"""
import os
import re
import sys
import tomllib

import yaml

ROOT, RENDERED = sys.argv[1], sys.argv[2]
passed = 0
failures = []
warnings = []


def check(ok, fact, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(f"{fact}{': ' + detail if detail else ''}")
    return ok


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def port_of(addr):
    m = re.search(r":(\d+)$", str(addr))
    return int(m.group(1)) if m else None


# ---- What the server reads and serves (server/src) -------------------------------------------
config_src = {name: read(f"server/src/config/{name}") for name in os.listdir(os.path.join(ROOT, "server/src/config"))}
all_config = "\n".join(config_src.values())
server_vars = set(re.findall(r'(?:raw|parse|secs|limit|count)\(\s*(?:vars,\s*)?"([A-Z][A-Z0-9_]+)"', all_config))
# Named in server/src/config in other ways too (the sign-in providers' settings, messages).
server_vars |= set(re.findall(r'"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"', all_config))
# Read by Leptos's get_configuration() (server/src/startup.rs), not by server/src/config.
server_vars |= {"LEPTOS_SITE_ROOT", "LEPTOS_OUTPUT_NAME", "LEPTOS_SITE_PKG_DIR", "LEPTOS_ENV",
                "LEPTOS_RELOAD_PORT", "LEPTOS_HASH_FILES", "LEPTOS_HASH_FILE_NAME", "LEPTOS_SITE_ADDR"}
check("DATABASE_URL" in server_vars and "SESSION_SECRET" in server_vars,
      "server/src/config names DATABASE_URL and SESSION_SECRET", f"found {sorted(server_vars)[:8]}...")

server_src = ""
for dirpath, _, files in os.walk(os.path.join(ROOT, "server/src")):
    for name in files:
        if name.endswith(".rs"):
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                server_src += f.read() + "\n"
routes = set(re.findall(r'\.route\(\s*"([^"]+)"', server_src))


def is_route(path):
    return path in routes


def default_of(name, file):
    m = re.search(rf'"{name}",\s*(?:SocketAddr::from\(\(\[[\d, ]+\],\s*)?(\d[\d_]*)', config_src[file])
    return int(m.group(1).replace("_", "")) if m else None


default_drain = default_of("SHUTDOWN_DRAIN_SECS", "http.rs")
default_request_timeout = default_of("REQUEST_TIMEOUT_SECS", "http.rs")
default_metrics_port = default_of("METRICS_ADDR", "metrics.rs")
check(None not in (default_drain, default_request_timeout, default_metrics_port),
      "server/src/config/http.rs and metrics.rs give SHUTDOWN_DRAIN_SECS, REQUEST_TIMEOUT_SECS and METRICS_ADDR defaults",
      f"{default_drain}, {default_request_timeout}, {default_metrics_port}")
for path in ("/healthz", "/readyz"):
    check(is_route(path), f"server/src routes {path}", f"routes found: {sorted(routes)}")
events_routes = [r for r in routes if r.endswith("/events")]
check(len(events_routes) == 1, "server/src has one live-update (SSE) route ending in /events", str(events_routes))
events_route = events_routes[0] if events_routes else "/projects/{id}/events"
commands = set(re.findall(r"^\s{4}([A-Z][A-Za-z]+)(?:\(|,)", re.search(r"enum Command \{(.*?)\n\}", server_src, re.S).group(1), re.M)) \
    if "enum Command" in server_src else set()
if not commands:  # main.rs is outside server/src's walk only if the layout changes
    commands = {"Serve", "Migrate", "Healthcheck"}

# ---- The Dockerfile: the image everything runs ------------------------------------------------
dockerfile = read("Dockerfile")
# The runtime stage's user: `USER 10001[:10001]`, or a user made with `useradd --uid 10001`.
image_uid = re.findall(r"^USER\s+(\d+)", dockerfile, re.M) or re.findall(r"--uid (\d+)", dockerfile)
image_uid = int(image_uid[-1]) if image_uid else None
check(image_uid == 10001, "the Dockerfile's user is uid 10001", str(image_uid))
entrypoint = re.search(r"^ENTRYPOINT\s+(\[.*\])", dockerfile, re.M)
check(entrypoint and "tini" in entrypoint.group(1) and entrypoint.group(1).rstrip('"]').endswith("taskdeck"),
      "the image's ENTRYPOINT is tini -- taskdeck (so arguments are taskdeck's subcommands)",
      entrypoint.group(1) if entrypoint else "no ENTRYPOINT")
expose = re.search(r"^EXPOSE\s+(\d+)", dockerfile, re.M)
site_port = int(expose.group(1)) if expose else None
check(site_port is not None, "the Dockerfile EXPOSEs Taskdeck's port")
docker_addr = re.search(r"LEPTOS_SITE_ADDR=(\S+)", dockerfile)
check(docker_addr and port_of(docker_addr.group(1)) == site_port,
      "the Dockerfile's LEPTOS_SITE_ADDR port is its EXPOSE port", docker_addr.group(1) if docker_addr else "unset")


def subcommand_ok(args, where):
    """args passed to the image's entrypoint: a real subcommand, not `taskdeck ...` again."""
    first = args[0] if args else "serve"
    check(first != "taskdeck", f"{where} passes a subcommand to the entrypoint, not 'taskdeck' again", " ".join(args))
    check(first.replace("-", "").lower() in {c.lower() for c in commands},
          f"{where}: '{first}' is a taskdeck command", f"commands: {sorted(commands)}")


# ---- Kubernetes (rendered) --------------------------------------------------------------------
def by_kind(docs):
    out = {}
    for d in docs:
        out.setdefault(d["kind"], []).append(d)
    return out


def env_map(container, configmaps):
    env = {}
    for e in container.get("env", []):
        env[e["name"]] = e
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        if ref is not None:
            check(ref in configmaps, f"envFrom ConfigMap {ref} exists in the rendered manifests", str(sorted(configmaps)))
            for k, v in configmaps.get(ref, {}).items():
                env.setdefault(k, {"name": k, "value": v})
    return env


def labels_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_pod_security(spec, container, where):
    psc = spec.get("securityContext", {})
    csc = container.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and csc.get("runAsNonRoot") is True, f"{where}: runAsNonRoot")
    check(psc.get("runAsUser") == image_uid and csc.get("runAsUser", image_uid) == image_uid,
          f"{where}: runAsUser is the image's uid {image_uid}", f"{psc.get('runAsUser')}/{csc.get('runAsUser')}")
    check(csc.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem")
    check(csc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation false")
    check(csc.get("capabilities", {}).get("drop") == ["ALL"] and not csc.get("capabilities", {}).get("add"),
          f"{where}: capabilities drop ALL, add none")
    check((psc.get("seccompProfile") or csc.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
          f"{where}: seccompProfile RuntimeDefault")
    res = container.get("resources", {})
    check(all(res.get(k, {}).get(r) for k in ("requests", "limits") for r in ("cpu", "memory")),
          f"{where}: cpu and memory requests and limits")
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    check("/tmp" in mounts and "emptyDir" in vols.get(mounts["/tmp"], {}), f"{where}: /tmp is an emptyDir")
    check(spec.get("automountServiceAccountToken") is False, f"{where}: no service account token mounted")
    check("command" not in container, f"{where}: keeps the image's entrypoint (no command:)")


def check_env_known(env, where):
    unknown = sorted(n for n in env if n not in server_vars)
    check(not unknown, f"{where}: every variable is one the server reads (server/src/config)", ", ".join(unknown))


def check_cluster(name, docs, migrate_docs, preview):
    kinds = by_kind(docs)
    configmaps = {c["metadata"]["name"]: c.get("data", {}) for c in kinds.get("ConfigMap", [])}
    deployments = kinds.get("Deployment", [])
    if not check(len(deployments) == 1, f"{name}: one Deployment"):
        return
    dep = deployments[0]
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"]["labels"]
    check(labels_match(spec["selector"]["matchLabels"], pod_labels), f"{name}: the Deployment's selector matches its pods")
    containers = pod["containers"]
    c = containers[0]
    where = f"{name} Deployment"
    check(c["image"].split(":")[0].split("/")[-1] == "taskdeck", f"{where}: the image is taskdeck", c["image"])
    subcommand_ok(c.get("args", []), where)
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    check(ports.get("http") == site_port, f"{where}: container port http is the image's {site_port}", str(ports))
    env = env_map(c, configmaps)
    check_env_known(env, where)

    def value(var):
        return (env.get(var) or {}).get("value")

    check(port_of(value("LEPTOS_SITE_ADDR")) == ports.get("http"), f"{where}: LEPTOS_SITE_ADDR's port is container port http",
          str(value("LEPTOS_SITE_ADDR")))
    check(port_of(value("METRICS_ADDR")) == ports.get("metrics") == default_metrics_port,
          f"{where}: METRICS_ADDR's port is container port metrics and the server's default {default_metrics_port}",
          f"{value('METRICS_ADDR')} / {ports.get('metrics')}")
    check(str(value("METRICS_ADDR")).startswith("0.0.0.0:"), f"{where}: METRICS_ADDR listens beyond loopback (for Prometheus)")
    app_url = str(value("APP_URL"))
    check(app_url.startswith("https://"), f"{where}: APP_URL is https", app_url)
    check(value("TRUSTED_PROXY_HEADER") == "X-Forwarded-For", f"{where}: TRUSTED_PROXY_HEADER=X-Forwarded-For (behind the ingress)")
    for var, key in (("SESSION_SECRET", "session-secret"), ("SENTRY_DSN", "sentry-dsn")) + (() if preview else (("DATABASE_URL", "database-url"),)):
        ref = (env.get(var) or {}).get("valueFrom", {}).get("secretKeyRef", {})
        check(ref.get("name") == "taskdeck" and ref.get("key") == key, f"{where}: {var} from Secret taskdeck key {key}", str(ref))
    sentry = (env.get("SENTRY_DSN") or {}).get("valueFrom", {}).get("secretKeyRef", {})
    check(sentry.get("optional") is True, f"{where}: SENTRY_DSN is optional")
    if preview:
        check(str(value("DATABASE_URL")).startswith("sqlite:///data/"), f"{where}: the preview's SQLite file is under /data", str(value("DATABASE_URL")))
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        check("emptyDir" in vols.get(mounts.get("/data"), {}), f"{where}: /data is an emptyDir")
        check(value("RUN_MIGRATIONS") == "true", f"{where}: the preview migrates its own SQLite file (RUN_MIGRATIONS=true)")
        check(spec.get("replicas") == 1, f"{where}: one replica")
        check("HorizontalPodAutoscaler" not in kinds and "PodDisruptionBudget" not in kinds, f"{name}: no autoscaler or disruption budget for one pod")
    else:
        check(value("RUN_MIGRATIONS") == "false", f"{where}: RUN_MIGRATIONS=false (the Job migrates)", str(value("RUN_MIGRATIONS")))
        check(spec.get("replicas", 1) >= 2, f"{where}: at least two replicas", str(spec.get("replicas")))
        roll = spec.get("strategy", {}).get("rollingUpdate", {})
        check(spec.get("strategy", {}).get("type") == "RollingUpdate" and roll.get("maxUnavailable") == 0 and roll.get("maxSurge") == 1,
              f"{where}: RollingUpdate with maxUnavailable 0 and maxSurge 1", str(spec.get("strategy")))
    # Probes.
    for probe, path in (("startupProbe", "/readyz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        got = c.get(probe, {}).get("httpGet", {})
        check(got.get("path") == path and is_route(path), f"{where}: {probe} on {path}, a route in server/src", str(got))
        check(got.get("port") in ports or got.get("port") == ports.get("http"), f"{where}: {probe} port is a container port", str(got.get("port")))
    # Stopping: grace > preStop + drain + the longest request.
    pre = c.get("lifecycle", {}).get("preStop", {})
    pre_secs = pre.get("sleep", {}).get("seconds")
    if pre_secs is None:
        cmd = pre.get("exec", {}).get("command", [])
        pre_secs = int(cmd[-1]) if cmd and cmd[0].endswith("sleep") else 0
    check(pre_secs >= 3, f"{where}: preStop pauses a few seconds before SIGTERM", str(pre))
    drain = int(value("SHUTDOWN_DRAIN_SECS") or default_drain)
    longest = int(value("REQUEST_TIMEOUT_SECS") or default_request_timeout)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    check(grace > pre_secs + drain + longest,
          f"{where}: terminationGracePeriodSeconds ({grace}) > preStop ({pre_secs}) + SHUTDOWN_DRAIN_SECS ({drain}) + REQUEST_TIMEOUT_SECS ({longest})")
    check_pod_security(pod, c, where)
    sa = pod.get("serviceAccountName")
    accounts = {a["metadata"]["name"]: a for a in kinds.get("ServiceAccount", [])}
    check(sa in accounts and accounts[sa].get("automountServiceAccountToken") is False,
          f"{name}: ServiceAccount {sa} exists with automountServiceAccountToken false")
    # Service, Ingress, ServiceMonitor, HPA, PDB, NetworkPolicy agree with the pods.
    services = kinds.get("Service", [])
    if check(len(services) == 1, f"{name}: one Service"):
        svc = services[0]
        check(labels_match(svc["spec"]["selector"], pod_labels), f"{name}: the Service selects the Deployment's pods")
        sports = {p["name"]: p for p in svc["spec"]["ports"]}
        for pname in ("http", "metrics"):
            p = sports.get(pname, {})
            target = p.get("targetPort")
            check(p.get("port") == ports.get(pname) and (target == pname or target == ports.get(pname)),
                  f"{name}: Service port {pname} is container port {ports.get(pname)}", str(p))
        for ing in kinds.get("Ingress", []):
            for rule in ing["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    be = path["backend"]["service"]
                    check(be["name"] == svc["metadata"]["name"] and (be["port"].get("name") in sports or be["port"].get("number") in [p["port"] for p in sports.values()]),
                          f"{name}: the Ingress routes to the Service's port", str(be))
            tls_hosts = {h for t in ing["spec"].get("tls", []) for h in t.get("hosts", [])}
            rule_hosts = {r.get("host") for r in ing["spec"]["rules"]}
            check(tls_hosts and rule_hosts <= tls_hosts, f"{name}: every Ingress host has TLS", f"{rule_hosts} vs {tls_hosts}")
            check(app_url == "https://" + sorted(rule_hosts)[0], f"{name}: APP_URL is the Ingress host", f"{app_url} vs {rule_hosts}")
            check("cert-manager.io/cluster-issuer" in ing["metadata"].get("annotations", {}), f"{name}: the Ingress asks cert-manager for its certificate")
        for sm in kinds.get("ServiceMonitor", []):
            check(labels_match(sm["spec"]["selector"].get("matchLabels", {}), svc["metadata"].get("labels", {})),
                  f"{name}: the ServiceMonitor selects the Service")
            for ep in sm["spec"]["endpoints"]:
                check(ep.get("port") == "metrics" and "metrics" in sports and ep.get("path", "/metrics") == "/metrics",
                      f"{name}: the ServiceMonitor scrapes the Service's metrics port at /metrics", str(ep))
        check(len(kinds.get("ServiceMonitor", [])) == 1, f"{name}: one ServiceMonitor")
    for hpa in kinds.get("HorizontalPodAutoscaler", []):
        ref = hpa["spec"]["scaleTargetRef"]
        check(ref["kind"] == "Deployment" and ref["name"] == dep["metadata"]["name"], f"{name}: the autoscaler scales the Deployment")
        check(hpa["spec"].get("minReplicas", 1) >= 2 and hpa["spec"]["maxReplicas"] >= hpa["spec"].get("minReplicas", 1),
              f"{name}: the autoscaler keeps at least two pods")
    for pdb in kinds.get("PodDisruptionBudget", []):
        check(labels_match(pdb["spec"]["selector"]["matchLabels"], pod_labels), f"{name}: the disruption budget selects the pods")
    if not preview:
        check(len(kinds.get("HorizontalPodAutoscaler", [])) == 1 and len(kinds.get("PodDisruptionBudget", [])) == 1,
              f"{name}: an autoscaler and a disruption budget")
    nps = kinds.get("NetworkPolicy", [])
    if check(len(nps) == 1, f"{name}: one NetworkPolicy"):
        np = nps[0]["spec"]
        check(labels_match(np["podSelector"]["matchLabels"], pod_labels), f"{name}: the NetworkPolicy applies to the pods")
        check(set(np.get("policyTypes", [])) == {"Ingress", "Egress"}, f"{name}: the NetworkPolicy limits both directions")
        in_ports = {(p.get("port")) for rule in np.get("ingress", []) for p in rule.get("ports", [])}
        check(in_ports and all(p in ports or p in ports.values() for p in in_ports), f"{name}: NetworkPolicy ingress ports are container ports", str(in_ports))
        sources = [f.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                   for rule in np.get("ingress", []) for f in rule.get("from", [])]
        check("monitoring" in sources and len(sources) == 2 and None not in sources,
              f"{name}: ingress only from the ingress controller's and the monitoring namespace", str(sources))
        out_ports = {p.get("port") for rule in np.get("egress", []) for p in rule.get("ports", [])}
        check({53, 5432, 443} <= out_ports and len(out_ports) == 3, f"{name}: egress DNS, PostgreSQL and HTTPS only", str(out_ports))
    # The migration Job: same image, same security, a bounded retry and a ttl.
    jobs = by_kind(migrate_docs).get("Job", [])
    if check(len(jobs) == 1, "migrate: one Job"):
        job = jobs[0]
        jpod = job["spec"]["template"]["spec"]
        jc = jpod["containers"][0]
        check(jc["image"] == c["image"].split(":")[0] + ":" + jc["image"].split(":")[-1] and jc["image"].split(":")[0] == c["image"].split(":")[0],
              "migrate: the Job runs the Deployment's image", f"{jc['image']} vs {c['image']}")
        check(jc.get("args") == ["migrate", "up"], "migrate: the Job runs `taskdeck migrate up` through the entrypoint", str(jc.get("args")))
        subcommand_ok(jc.get("args", []), "migrate Job")
        check(0 < job["spec"].get("backoffLimit", 6) <= 3 and job["spec"].get("ttlSecondsAfterFinished"), "migrate: backoffLimit (1-3) and ttlSecondsAfterFinished")
        check(jpod.get("restartPolicy") == "Never", "migrate: restartPolicy Never")
        jenv = {e["name"]: e for e in jc.get("env", [])}
        check_env_known(jenv, "migrate Job")
        check(jenv.get("DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef") == env.get("DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef") or preview,
              "migrate: the Job reads DATABASE_URL from the Deployment's Secret key")
        check_pod_security(jpod, jc, "migrate Job")


rendered = {n: load_all(os.path.join(RENDERED, f"{n}.yaml")) for n in ("production", "preview", "migrate")}
check_cluster("production", rendered["production"], rendered["migrate"], preview=False)
check_cluster("preview", rendered["preview"], rendered["migrate"], preview=True)

# Every kustomization names files that exist.
for dirpath, _, files in os.walk(os.path.join(ROOT, "deploy/kubernetes")):
    if "kustomization.yaml" not in files:
        continue
    with open(os.path.join(dirpath, "kustomization.yaml"), encoding="utf-8") as f:
        k = yaml.safe_load(f)
    refs = list(k.get("resources", []))
    refs += [p["path"] for p in k.get("patches", []) if "path" in p]
    refs += [e for g in k.get("configMapGenerator", []) for e in g.get("envs", []) + g.get("files", [])]
    for ref in refs:
        check(os.path.exists(os.path.join(dirpath, ref)), f"{os.path.relpath(dirpath, ROOT)}/kustomization.yaml: {ref} exists")
    for img in k.get("images", []):
        check(img.get("name") == "taskdeck" and img.get("newName", "taskdeck").split("/")[-1] == "taskdeck",
              f"{os.path.relpath(dirpath, ROOT)}/kustomization.yaml: images rename taskdeck to a taskdeck image", str(img))

# ---- Compose ----------------------------------------------------------------------------------
compose_text = read("deploy/compose/compose.yaml")
compose = yaml.safe_load(compose_text)
env_example = read("deploy/compose/.env.example")
services = compose.get("services", {})
for svc in ("taskdeck", "migrate", "postgres", "caddy"):
    check(svc in services, f"compose: a {svc} service")
td = services.get("taskdeck", {})
mg = services.get("migrate", {})
for name, s in (("taskdeck", td), ("migrate", mg)):
    check(s.get("read_only") is True and str(s.get("user", "")).split(":")[0] == str(image_uid)
          and s.get("cap_drop") == ["ALL"] and "no-new-privileges:true" in s.get("security_opt", []),
          f"compose {name}: read_only, user {image_uid}, cap_drop ALL, no-new-privileges")
    env = s.get("environment", {})
    check_env_known(env, f"compose {name}")
    check(str(s.get("image", "")).startswith("${TASKDECK_IMAGE:-taskdeck:"), f"compose {name}: runs ${{TASKDECK_IMAGE}} (default taskdeck)", str(s.get("image")))
    check(str(env.get("DATABASE_URL", "")).startswith("postgres://") and "@postgres:5432/" in str(env.get("DATABASE_URL", "")),
          f"compose {name}: DATABASE_URL points at the postgres service")
    check(s.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy", f"compose {name}: waits for a healthy postgres")
subcommand_ok(mg.get("command", []), "compose migrate")
subcommand_ok(td.get("command", []), "compose taskdeck")
check(mg.get("command") == ["migrate", "up"] and mg.get("restart") == "no", "compose migrate: a one-shot `migrate up`")
check(td.get("depends_on", {}).get("migrate", {}).get("condition") == "service_completed_successfully",
      "compose taskdeck: starts after migrate completed successfully")
tenv = td.get("environment", {})
check(str(tenv.get("RUN_MIGRATIONS")) == "false", "compose taskdeck: RUN_MIGRATIONS=false")
check(port_of(tenv.get("LEPTOS_SITE_ADDR")) == site_port and str(site_port) in [str(p) for p in td.get("expose", [])],
      f"compose taskdeck: listens on and exposes {site_port}")
check(port_of(tenv.get("METRICS_ADDR")) == default_metrics_port, "compose taskdeck: METRICS_ADDR on the metrics port")
check(tenv.get("TRUSTED_PROXY_HEADER") == "X-Forwarded-For", "compose taskdeck: trusts Caddy's X-Forwarded-For")
check(str(tenv.get("APP_URL", "")).startswith("https://${TASKDECK_DOMAIN"), "compose taskdeck: APP_URL is https://TASKDECK_DOMAIN")
hc = td.get("healthcheck", {}).get("test", [])
check(hc[:2] == ["CMD", "taskdeck"] and hc[2:3] == ["healthcheck"], "compose taskdeck: health check `taskdeck healthcheck`", str(hc))
grace = re.fullmatch(r"(\d+)s", str(td.get("stop_grace_period", "10s")))
drain = int(tenv.get("SHUTDOWN_DRAIN_SECS") or default_drain)
check(grace and int(grace.group(1)) > drain + default_request_timeout,
      f"compose taskdeck: stop_grace_period > drain ({drain}) + REQUEST_TIMEOUT_SECS ({default_request_timeout})", str(td.get("stop_grace_period")))
check(services.get("postgres", {}).get("image") == "postgres:15" and services.get("postgres", {}).get("healthcheck"),
      "compose postgres: postgres:15 with a health check")
caddy_svc = services.get("caddy", {})
check(caddy_svc.get("depends_on", {}).get("taskdeck", {}).get("condition") == "service_healthy", "compose caddy: waits for a healthy taskdeck")
check(port_of(caddy_svc.get("environment", {}).get("TASKDECK_UPSTREAM")) == site_port, "compose caddy: proxies to taskdeck's port")
check(any(str(v).startswith("../caddy/Caddyfile:") for v in caddy_svc.get("volumes", [])), "compose caddy: mounts deploy/caddy/Caddyfile")
check(set(compose.get("volumes", {})) >= {"postgres-data", "caddy-data"}, "compose: named volumes for PostgreSQL and Caddy's certificates")
# Variables: every one used is documented in .env.example with a comment; required ones fail by name.
used = {}
for m in re.finditer(r"\$\{([A-Z_][A-Z0-9_]*)(:?[-?])?([^}]*)\}", compose_text):
    used.setdefault(m.group(1), set()).add(m.group(2) or "")
documented = {}
lines = env_example.splitlines()
for i, line in enumerate(lines):
    m = re.match(r"^([A-Z_][A-Z0-9_]*)=", line)
    if m:
        documented[m.group(1)] = i > 0 and lines[i - 1].startswith("#")
for var, forms in sorted(used.items()):
    check(documented.get(var) is True, f"compose: ${{{var}}} is in .env.example with a comment")
    check(forms <= {":?"} or forms <= {":-", "-"}, f"compose: ${{{var}}} is either always required (:?) or always defaulted (:-)", str(forms))
for var in documented:
    check(var in used, f".env.example: {var} is used by compose.yaml")
for m in re.finditer(r"\$\{([A-Z_]+):\?([^}]*)\}", compose_text):
    check(m.group(1) in m.group(2) or "set " in m.group(2), f"compose: the message for a missing ${{{m.group(1)}}} says what to set", m.group(2))
required = {v for v, f in used.items() if ":?" in f}
check({"POSTGRES_PASSWORD", "SESSION_SECRET", "TASKDECK_DOMAIN"} <= required, "compose: the password, session secret and domain are required", str(sorted(required)))

# ---- fly.toml ---------------------------------------------------------------------------------
with open(os.path.join(ROOT, "deploy/fly/fly.toml"), "rb") as f:
    fly = tomllib.load(f)
check(isinstance(fly.get("app"), str) and fly["app"], "fly: app is named")
check(fly.get("kill_signal") == "SIGTERM", "fly: kill_signal SIGTERM")
fenv = fly.get("env", {})
fdrain = int(fenv.get("SHUTDOWN_DRAIN_SECS") or default_drain)
check(isinstance(fly.get("kill_timeout"), int) and fly["kill_timeout"] > fdrain + default_request_timeout,
      f"fly: kill_timeout > drain ({fdrain}) + REQUEST_TIMEOUT_SECS ({default_request_timeout})", str(fly.get("kill_timeout")))
release = fly.get("deploy", {}).get("release_command", "")
check(release == "migrate up", "fly: release_command is `migrate up` (the entrypoint is tini -- taskdeck)", release)
subcommand_ok(release.split(), "fly release_command")
check(fly.get("deploy", {}).get("strategy") == "rolling", "fly: rolling deploys")
hs = fly.get("http_service", {})
check(hs.get("internal_port") == site_port == port_of(fenv.get("LEPTOS_SITE_ADDR")), f"fly: internal_port and LEPTOS_SITE_ADDR are {site_port}")
check(hs.get("force_https") is True, "fly: force_https")
fchecks = hs.get("checks", [])
check(fchecks and all(c.get("path") == "/readyz" and is_route(c["path"]) for c in fchecks), "fly: http checks on /readyz, a route in server/src")
check(fly.get("metrics", {}).get("port") == port_of(fenv.get("METRICS_ADDR")) == default_metrics_port, "fly: [metrics] port is METRICS_ADDR's")
check(str(fenv.get("RUN_MIGRATIONS")) == "false", "fly: RUN_MIGRATIONS=false (the release command migrates)")
check(str(fenv.get("APP_URL", "")).startswith("https://"), "fly: APP_URL is https")
check(fenv.get("TRUSTED_PROXY_HEADER"), "fly: TRUSTED_PROXY_HEADER names the proxy's client-address header")
check_env_known(fenv, "fly [env]")
check(os.path.exists(os.path.normpath(os.path.join(ROOT, "deploy/fly", fly.get("build", {}).get("dockerfile", "")))), "fly: [build] dockerfile exists")

# ---- Caddyfile --------------------------------------------------------------------------------
caddyfile = re.sub(r"(?m)^\s*#.*\n", "", read("deploy/caddy/Caddyfile"))  # directives only
upstream_default = re.search(r"\{\$TASKDECK_UPSTREAM:([^}]+)\}", caddyfile)
check(upstream_default and port_of(upstream_default.group(1)) == site_port, f"caddy: the default upstream is port {site_port}")
for path in re.findall(r"health_uri\s+(\S+)", caddyfile):
    check(path == "/readyz" and is_route(path), "caddy: health checks on /readyz, a route in server/src", path)
check("health_uri" in caddyfile, "caddy: active health checks")
# Caddy sets X-Forwarded-For/-Proto itself and drops the client's unless it is a trusted proxy.
check("trusted_proxies" not in caddyfile, "caddy: no trusted_proxies, so a client's own X-Forwarded-For is discarded")
check(not re.search(r"header_up\s+-?X-Forwarded-(For|Proto)", caddyfile), "caddy: X-Forwarded-For/-Proto left to Caddy (not removed or overridden)")
matcher = re.search(r"@(\w+)\s+path_regexp\s+(?:\w+\s+)?(\S+)", caddyfile)
if check(matcher, "caddy: a path_regexp matcher for the live-update streams"):
    sample = re.sub(r"\{[^}]+\}", "42", events_route)
    check(re.search(matcher.group(2), sample), f"caddy: the streams matcher matches the server's SSE route {events_route}", matcher.group(2))
    block = re.search(r"reverse_proxy\s+@" + matcher.group(1) + r"\s*\{(.*?)\n\t\}", caddyfile, re.S)
    check(block and re.search(r"flush_interval\s+-1", block.group(1)), "caddy: the streams are proxied with flush_interval -1")
check("{$TASKDECK_DOMAIN}" in caddyfile, "caddy: the site is {$TASKDECK_DOMAIN}")
caddy_vars = set(re.findall(r"\{\$([A-Z_][A-Z0-9_]*)", caddyfile))
for var in sorted(caddy_svc.get("environment", {})):
    check(var in caddy_vars, f"compose caddy: {var} is a variable the Caddyfile reads", str(sorted(caddy_vars)))
check(caddy_svc.get("environment", {}).get("TASKDECK_TLS", "").startswith("${TASKDECK_TLS:-acme}"), "compose caddy: Let's Encrypt unless TASKDECK_TLS says otherwise")
check("(tls-internal)" in caddyfile and "tls internal" in caddyfile and "import tls-{$TASKDECK_TLS" in caddyfile,
      "caddy: TASKDECK_TLS switches to tls internal")

# ---- Workflows ----------------------------------------------------------------------------------
deploy_wf_text = read(".github/workflows/deploy.yml")
deploy_wf = yaml.safe_load(deploy_wf_text)
on = deploy_wf.get(True, deploy_wf.get("on", {}))
check(on.get("push", {}).get("branches") == ["main"], "deploy.yml: runs on push to main")
check(set(on.get("pull_request", {}).get("types", [])) == {"opened", "synchronize", "reopened", "closed"},
      "deploy.yml: runs on pull requests opened, synchronized, reopened and closed")
jobs = deploy_wf.get("jobs", {})
steps_of = {name: job.get("steps", []) for name, job in jobs.items()}
build = [s for steps in steps_of.values() for s in steps if str(s.get("uses", "")).startswith("docker/build-push-action@")]
# One build pushes the image; a second one (the debug-files target) only exports files.
pushed = [s for s in build if s.get("with", {}).get("push") is True]
if check(len(pushed) == 1, "deploy.yml: one docker/build-push-action step pushes the image"):
    w = pushed[0].get("with", {})
    check(w.get("provenance") is True and w.get("sbom") is True and w.get("push") is True, "deploy.yml: pushes with provenance and an SBOM")
check(any(s.get("with", {}).get("target") == "debug-files" for s in build) and
      re.search(r"^FROM scratch AS debug-files$", dockerfile, re.M) is not None,
      "deploy.yml: Sentry's debug files come from the Dockerfile's debug-files stage")
check("${{ vars.IMAGE_REGISTRY }}/${{ github.repository }}" in deploy_wf_text or
      ("${{ vars.IMAGE_REGISTRY }}" in deploy_wf_text and '"$IMAGE_REGISTRY/$REPOSITORY"' in deploy_wf_text),
      "deploy.yml: the image is vars.IMAGE_REGISTRY/github.repository")
check(not re.search(r"\b(ghcr\.io|docker\.io|quay\.io|gcr\.io)\b", deploy_wf_text), "deploy.yml: names no registry host")
prod = jobs.get("production", {})
check((prod.get("environment") or {}).get("name") == "production", "deploy.yml: production runs in the protected production environment")
check("refs/heads/main" in str(prod.get("if", "")), "deploy.yml: production deploys from main only")
names = [s.get("name", "") + " " + str(s.get("run", "")) for s in prod.get("steps", [])]


def index_of(pattern):
    return next((i for i, n in enumerate(names) if re.search(pattern, n)), None)


i_migrate = index_of(r"render\.sh migrate")
i_apply = index_of(r"render\.sh production")
i_status = index_of(r"rollout status deployment/taskdeck --timeout=")
i_smoke = index_of(r"deploy/smoke-test\.sh")
i_undo = index_of(r"rollout undo deployment/taskdeck")
check(None not in (i_migrate, i_apply, i_status, i_smoke, i_undo) and i_migrate < i_apply < i_status < i_smoke < i_undo,
      "deploy.yml production: migrate Job, then apply, rollout status with a timeout, smoke test, rollback",
      f"{i_migrate}, {i_apply}, {i_status}, {i_smoke}, {i_undo}")
if i_undo is not None:
    undo = prod["steps"][i_undo]
    check("failure()" in str(undo.get("if", "")) and "exit 1" in undo.get("run", ""), "deploy.yml: the rollback runs on failure and still fails the job")
preview = jobs.get("preview", {})
check(any("render.sh preview" in str(s.get("run", "")) and "pr-" in deploy_wf_text for s in preview.get("steps", [])),
      "deploy.yml: a preview job applies the preview overlay in namespace pr-NUMBER")
check("github.event.action != 'closed'" in str(preview.get("if", "")), "deploy.yml: no preview deploy for a closed pull request")
teardown = jobs.get("teardown", {})
check("github.event.action == 'closed'" in str(teardown.get("if", "")) and
      any("delete namespace" in str(s.get("run", "")) for s in teardown.get("steps", [])), "deploy.yml: teardown deletes the namespace when the pull request closes")
sentry_steps = [s for s in prod.get("steps", []) if "sentry" in (str(s.get("run", "")) + str(s.get("name", ""))).lower()]
check(sentry_steps and all(s.get("if") == "env.SENTRY_AUTH_TOKEN != ''" for s in sentry_steps), "deploy.yml: every Sentry step is skipped without SENTRY_AUTH_TOKEN")
sentry_run = "\n".join(str(s.get("run", "")) for s in sentry_steps)
for part in ("releases new", "set-commits", "--auto", "deploys new", "-e production", "debug-files upload", "debug-files/taskdeck", "debug-files/pkg"):
    check(part in sentry_run, f"deploy.yml: sentry-cli {part}")
render_sh = read("deploy/kubernetes/render.sh")
check('SENTRY_RELEASE=taskdeck@$release' in render_sh and 'taskdeck@$RELEASE' in sentry_run,
      "the release Sentry is told of (taskdeck@COMMIT) is the one the pods report (SENTRY_RELEASE)")
# Every script a workflow runs exists (scripts/backup-drill.sh comes with the backup work).
for wf in sorted(os.listdir(os.path.join(ROOT, ".github/workflows"))):
    text = read(f".github/workflows/{wf}")
    for script in sorted(set(re.findall(r"(?<![\w/.])((?:deploy|scripts)/[\w./-]+\.(?:sh|py|mjs))", text))):
        exists = os.path.exists(os.path.join(ROOT, script))
        if not exists and script == "scripts/backup-drill.sh":
            warnings.append(f"{wf} runs {script}, which is not in this tree yet (the backup drill's own branch)")
            continue
        check(exists, f"{wf}: {script} exists")
test_wf = yaml.safe_load(read(".github/workflows/test.yml"))
deny_steps = [s for j in test_wf.get("jobs", {}).values() for s in j.get("steps", []) if "cargo-deny" in str(s.get("uses", ""))]
check(deny_steps and "advisories" in str(deny_steps[0].get("with", {}).get("command", "")), "test.yml: cargo deny check with advisories")
backup_wf = yaml.safe_load(read(".github/workflows/backup-test.yml"))
bon = backup_wf.get(True, backup_wf.get("on", {}))
check("schedule" in bon and "workflow_dispatch" in bon, "backup-test.yml: nightly and on demand")
bjobs = list(backup_wf.get("jobs", {}).values())
check(bjobs and "postgres" in bjobs[0].get("services", {}) and
      any("scripts/backup-drill.sh --full" in str(s.get("run", "")) for s in bjobs[0].get("steps", [])),
      "backup-test.yml: runs scripts/backup-drill.sh --full with a PostgreSQL service")

for w in warnings:
    print(f"WARN {w}")
for f in failures:
    print(f"FAIL {f}")
print(f"facts: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
