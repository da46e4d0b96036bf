"""deploy/kubernetes: replicas serve every shard once, set only settings quizbot knows, stop in time."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from quizbot.__main__ import build_parser
from quizbot.bot.app import CHANNEL_FLUSH_SECONDS
from quizbot.config import Settings
from quizbot.errors import ConfigError
from quizbot.service import SHUTDOWN_DEADLINE
from tests.test_deploy import exec_form, parse_dockerfile

REPO = Path(__file__).resolve().parents[1]
MANIFESTS = REPO / "deploy" / "kubernetes"
POD_INDEX_LABEL = "metadata.labels['apps.kubernetes.io/pod-index']"
# What the Secret `quizbot` holds in these tests: valid values, so Settings.from_env accepts them.
SECRET = {"DISCORD_TOKEN": "token.from.secret", "DATABASE_URL": "postgresql://quizbot:pw@db:5432/quizbot"}
SECRET_VARIABLES = {"DISCORD_TOKEN", "DATABASE_URL"}
REPLICA_COUNTS = (1, 2, 3, 5)
SHARD_COUNTS = (1, 4, 16)


# --- rendering ---


def render() -> list[dict[str, Any]]:
    """The objects `kubectl apply -k deploy/kubernetes` creates: the listed resources, images replaced."""
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    images = {
        i["name"]: f"{i.get('newName', i['name'])}:{i.get('newTag', 'latest')}"
        for i in kustomization["images"]
    }
    objects: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((MANIFESTS / resource).read_text(encoding="utf-8")):
            if document is not None:
                objects.append(document)
    for obj in objects:
        for container in containers(obj):
            container["image"] = images.get(container["image"], container["image"])
    return objects


def containers(obj: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every container (init containers too) of a workload's pod template."""
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    yield from pod.get("initContainers", [])
    yield from pod.get("containers", [])


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind]
    return found


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render()


@pytest.fixture(scope="module")
def statefulset(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "StatefulSet")


@pytest.fixture(scope="module")
def container(statefulset: dict[str, Any]) -> dict[str, Any]:
    (only,) = containers(statefulset)
    return only


def env_value(entry: Mapping[str, Any], pod_name: str, ordinal: int) -> str:
    """What Kubernetes puts in one env entry of pod `pod_name` (ordinal `ordinal`)."""
    if "value" in entry:
        return str(entry["value"])
    source = entry["valueFrom"]
    if "secretKeyRef" in source:
        assert source["secretKeyRef"]["name"] == "quizbot"
        return SECRET[source["secretKeyRef"]["key"]]
    field = source["fieldRef"]["fieldPath"]
    if field == "metadata.name":
        return pod_name
    if field == POD_INDEX_LABEL:
        return str(ordinal)
    raise AssertionError(f"env {entry['name']} comes from {source}, which these tests cannot resolve")


def pod_environment(statefulset: dict[str, Any], ordinal: int) -> dict[str, str]:
    """The environment of the quizbot container in pod `<statefulset>-<ordinal>`."""
    (main,) = containers(statefulset)
    assert "envFrom" not in main, "every variable is named, so each can be checked against config.py"
    name = f"{statefulset['metadata']['name']}-{ordinal}"
    return {entry["name"]: env_value(entry, name, ordinal) for entry in main.get("env", [])}


def scaled(statefulset: dict[str, Any], replicas: int, shard_count: int) -> dict[str, Any]:
    """The StatefulSet as README says to grow it: spec.replicas and QUIZBOT_REPLICAS changed together."""
    changed = copy.deepcopy(statefulset)
    changed["spec"]["replicas"] = replicas
    (main,) = containers(changed)
    values = {"QUIZBOT_REPLICAS": str(replicas), "QUIZBOT_SHARD_COUNT": str(shard_count)}
    for entry in main["env"]:
        if entry["name"] in values:
            entry["value"] = values[entry["name"]]
    return changed


def shards_of_every_pod(statefulset: dict[str, Any]) -> list[tuple[int, ...]]:
    """The shards each pod serves, read by quizbot's own Settings.from_env from the pod's environment."""
    return [
        Settings.from_env(pod_environment(statefulset, ordinal)).shard_ids
        for ordinal in range(statefulset["spec"]["replicas"])
    ]


class RecordingEnvironment(Mapping[str, str]):
    """An empty environment that remembers every variable name looked up in it."""

    def __init__(self) -> None:
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def variables_config_reads() -> set[str]:
    """Every variable name Settings.from_env looks up (f-string names included), found by running it."""
    recorder = RecordingEnvironment()
    Settings.from_env(recorder)
    return recorder.read


# --- shards ---


def test_the_shipped_replicas_serve_every_shard_exactly_once(statefulset: dict[str, Any]) -> None:
    """Each pod of the manifest as shipped serves its own shards, and together all of them, once."""
    environment = pod_environment(statefulset, 0)
    served = shards_of_every_pod(statefulset)
    assert all(served), "an empty list would mean every shard"
    assert sorted(s for shards in served for s in shards) == list(
        range(int(environment["QUIZBOT_SHARD_COUNT"]))
    )


def test_quizbot_replicas_equals_the_statefulset_replicas(statefulset: dict[str, Any]) -> None:
    """QUIZBOT_REPLICAS says how many pods divide the shards, so it must be spec.replicas."""
    assert pod_environment(statefulset, 0)["QUIZBOT_REPLICAS"] == str(statefulset["spec"]["replicas"])


@pytest.mark.parametrize("shard_count", SHARD_COUNTS)
@pytest.mark.parametrize("replicas", REPLICA_COUNTS)
def test_any_replica_count_serves_every_shard_exactly_once(
    statefulset: dict[str, Any], replicas: int, shard_count: int
) -> None:
    """Scaled to N pods over S shards, pod r serves {s : s % N == r}: every shard once, none idle."""
    grown = scaled(statefulset, replicas, shard_count)
    if replicas > shard_count:  # a pod would have no shard: quizbot refuses to start rather than serve all
        with pytest.raises(ConfigError) as refused:
            shards_of_every_pod(grown)
        assert refused.value.variable == "QUIZBOT_REPLICAS"
        return
    served = shards_of_every_pod(grown)
    assert served == [tuple(s for s in range(shard_count) if s % replicas == r) for r in range(replicas)]
    assert sorted(s for shards in served for s in shards) == list(range(shard_count))


def test_the_pod_index_label_gives_the_same_shards(statefulset: dict[str, Any]) -> None:
    """Reading the ordinal from the apps.kubernetes.io/pod-index label instead of the name changes nothing."""
    by_label = copy.deepcopy(statefulset)
    (main,) = containers(by_label)
    (index,) = [e for e in main["env"] if e["name"] == "QUIZBOT_REPLICA_INDEX"]
    index["valueFrom"] = {"fieldRef": {"fieldPath": POD_INDEX_LABEL}}
    assert shards_of_every_pod(by_label) == shards_of_every_pod(statefulset)


# --- settings ---


def test_recording_finds_what_config_reads() -> None:
    """The recorder sees plain, shard and f-string names (so the next test can fail)."""
    assert {"DATABASE_URL", "QUIZBOT_SHARD_COUNT", "QUIZBOT_REPLICA_INDEX", "QUIZBOT_OPENAI_MODEL"} <= (
        variables_config_reads()
    )


def test_every_variable_the_pods_set_is_one_config_reads(statefulset: dict[str, Any]) -> None:
    """No env entry is a typo or a setting quizbot has never heard of."""
    unknown = set(pod_environment(statefulset, 0)) - variables_config_reads()
    assert not unknown


def test_every_pod_environment_is_valid(statefulset: dict[str, Any]) -> None:
    """quizbot starts in every pod: Settings.from_env accepts each one's environment."""
    for ordinal in range(statefulset["spec"]["replicas"]):
        settings = Settings.from_env(pod_environment(statefulset, ordinal))
        assert settings.database_url == SECRET["DATABASE_URL"]
        assert settings.discord_token.value == SECRET["DISCORD_TOKEN"]


def test_secrets_come_from_the_secret(container: dict[str, Any]) -> None:
    """DISCORD_TOKEN and DATABASE_URL are secretKeyRefs, never values written in the manifest."""
    by_name = {e["name"]: e for e in container["env"]}
    for name in SECRET_VARIABLES:
        assert by_name[name]["valueFrom"]["secretKeyRef"] == {"name": "quizbot", "key": name}
    assert not [o for o in render() if o["kind"] == "Secret"], "the Secret is made by hand, not shipped"


def test_no_literal_value_looks_like_a_credential(container: dict[str, Any]) -> None:
    """No plain value holds a URL with a password or a token-shaped string."""
    for entry in container["env"]:
        value = str(entry.get("value", ""))
        assert not re.search(r"://[^/@]*:[^/@]*@", value), entry["name"]
        assert len(value) < 40, entry["name"]


# --- the image, the probes, stopping ---


def test_the_container_runs_the_dockerfile_image_and_command(
    objects: list[dict[str, Any]], container: dict[str, Any]
) -> None:
    """The pod runs what the Dockerfile builds, with the same command and the image's own user."""
    dockerfile = parse_dockerfile((REPO / "Dockerfile").read_text(encoding="utf-8"))
    (cmd,) = [exec_form(i.arguments) for i in dockerfile if i.keyword == "CMD"]
    assert container.get("command", []) + container.get("args", cmd) == cmd == ["quizbot", "run"]
    assert container["image"].split(":")[0].rsplit("/", 1)[-1] == "quizbot"
    uid = re.search(r"useradd\b.*--uid (\d+)", " ".join(i.arguments for i in dockerfile))
    assert uid is not None
    pod_security = one(objects, "StatefulSet")["spec"]["template"]["spec"]["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert str(pod_security["runAsUser"]) == uid.group(1)


@pytest.mark.parametrize("probe", ["readinessProbe", "livenessProbe"])
def test_probes_run_quizbot_health(container: dict[str, Any], probe: str) -> None:
    """Readiness and liveness both exec `quizbot health`, a command the CLI knows."""
    command = container[probe]["exec"]["command"]
    assert command == ["quizbot", "health"]
    assert build_parser().parse_args(command[1:]).command == "health"
    assert container[probe]["timeoutSeconds"] <= container[probe]["periodSeconds"]


def test_grace_period_outlasts_the_shutdown(statefulset: dict[str, Any]) -> None:
    """Kubernetes waits longer than the shutdown snapshot and the channel flush before SIGKILL."""
    grace = statefulset["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > SHUTDOWN_DEADLINE + CHANNEL_FLUSH_SECONDS


# --- selectors ---


def test_the_pdb_selects_the_statefulset_pods(
    objects: list[dict[str, Any]], statefulset: dict[str, Any]
) -> None:
    """The PodDisruptionBudget's selector matches the pods and lets at most one go at a time."""
    pdb = one(objects, "PodDisruptionBudget")
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    selector = pdb["spec"]["selector"]["matchLabels"]
    assert selector and selector.items() <= labels.items()
    assert selector == statefulset["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["maxUnavailable"] == 1


def test_the_statefulset_selects_its_own_pods_and_names_its_service(
    objects: list[dict[str, Any]], statefulset: dict[str, Any]
) -> None:
    """The StatefulSet's selector matches its template, and its serviceName is the headless Service."""
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    assert statefulset["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = one(objects, "Service")
    assert statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"].items() <= labels.items()


def test_kustomization_lists_every_manifest() -> None:
    """No manifest in deploy/kubernetes is left out of `kubectl apply -k`."""
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    on_disk = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == on_disk
