"""Builds what gets deployed for one stage: `chalice package` merged with infra/template.json,
then the deployment package trimmed and checked and the template linted (cfn-lint), so a deploy
ships exactly what the tests opened.

    python -m infra.package --stage dev     # -> build/dev/sam.json + build/dev/deployment.zip

Chalice ships only app.py, chalicelib/ and vendor/, so the project is staged in build/.project-<stage>
with scheduled/ and web/ copied into its vendor/ (vendor/ lands at the package root, where
chalicelib/../web resolves as it does in the work tree). The work tree itself is never written to.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"
REGION = "ap-southeast-3"
MAX_ZIP_BYTES = 10 * 1024 * 1024  # "10 MB" as Lambda counts it (MiB)

# The Lambda Python runtime provides boto3 and botocore with their own dependencies; packaging them
# (botocore arrives through pynamodb) costs ~16 MB and would shadow the runtime's consistent set.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "urllib3")

# What the app never loads. phonenumbers: only parsing/validation is used, not the geocoder,
# carrier or time-zone lookups. dnspython: email-validator needs it only for deliverability checks,
# which schemas.py turns off. holidays: translations of other countries' holiday names.
# Powertools: the Swagger UI assets of its own API resolver (Chalice serves the API).
UNUSED_DISTS = ("dns", "dnspython")
UNUSED_DATA = (
    "phonenumbers/geodata/",
    "phonenumbers/carrierdata/",
    "phonenumbers/tzdata/",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui.min.css",
)
KEPT_HOLIDAY_LOCALES = ("ID.mo",)

# What package.py decides for every stage, whatever .chalice/config.json says: IAM comes from the
# merge template, one role per function (chalice's policy analyzer cannot read this app anyway).
PACKAGING_CONFIG = {"autogen_policy": False, "iam_policy_file": "policy-from-infra-template.json"}
PLACEHOLDER_SID = "ReplacedByInfraTemplate"
PLACEHOLDER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": PLACEHOLDER_SID, "Effect": "Deny", "Action": "*", "Resource": "*"}],
}

COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


class PackageError(RuntimeError):
    """The package or its template is not fit to deploy; the message lists every reason."""


@dataclass
class Build:
    stage: str
    project: Path  # the staged copy that was packaged
    out_dir: Path
    zip_path: Path
    template_path: Path
    zip_bytes: int
    functions: dict[str, str]  # CloudFormation name -> handler
    notes: list[str] = field(default_factory=list)

    @property
    def template(self) -> dict:
        return json.loads(self.template_path.read_text())


def build(stage: str, out_root: Path | None = None, chalice: str | None = None) -> Build:
    """Stages the project, runs chalice package with the merge template, trims and checks."""
    out_root = out_root or ROOT / "build"
    project = _stage_project(stage, out_root / f".project-{stage}")
    out_dir = out_root / stage
    shutil.rmtree(out_dir, ignore_errors=True)
    _run_chalice(project, stage, out_dir, chalice)
    zip_path, template_path = out_dir / "deployment.zip", out_dir / "sam.json"
    notes = _trim_zip(zip_path)
    template = json.loads(template_path.read_text())
    notes += _finish_template(template, stage)
    template_path.write_text(json.dumps(template, indent=2) + "\n")
    result = Build(stage, project, out_dir, zip_path, template_path, zip_path.stat().st_size,
                   {name: r["Properties"]["Handler"] for name, r in template["Resources"].items()
                    if r.get("Type") == "AWS::Serverless::Function"}, notes)
    problems = check_zip(zip_path, project / "vendor") + check_template(template) + lint(template_path)
    if problems:
        raise PackageError("package is not deployable:\n  - " + "\n  - ".join(problems))
    return result


# ---- staging ----------------------------------------------------------------------------------------
def _stage_project(stage: str, project: Path) -> Path:
    """A copy of what chalice packages. .chalice/deployments (chalice's dependency cache) survives."""
    for stale in ("chalicelib", "vendor"):
        shutil.rmtree(project / stale, ignore_errors=True)
    (project / ".chalice").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "app.py", project / "app.py")
    shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
    shutil.copytree(ROOT / "chalicelib", project / "chalicelib", ignore=COPY_IGNORE)
    vendor = project / "vendor"
    if (ROOT / "vendor").is_dir():
        shutil.copytree(ROOT / "vendor", vendor, ignore=COPY_IGNORE)
    for tree in ("scheduled", "web"):
        if (ROOT / tree).is_dir():
            shutil.copytree(ROOT / tree, vendor / tree, ignore=COPY_IGNORE, dirs_exist_ok=True)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    if stage not in config.get("stages", {}):
        raise PackageError(f"stage {stage!r} is not in .chalice/config.json")
    config.update(PACKAGING_CONFIG)
    for stage_config in config["stages"].values():
        for key in PACKAGING_CONFIG:
            stage_config.pop(key, None)
    (project / ".chalice" / "config.json").write_text(json.dumps(config, indent=2))
    (project / ".chalice" / PACKAGING_CONFIG["iam_policy_file"]).write_text(json.dumps(PLACEHOLDER_POLICY))
    return project


def _run_chalice(project: Path, stage: str, out_dir: Path, chalice: str | None) -> None:
    chalice = chalice or str(Path(sys.executable).with_name("chalice"))
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION}
    for name in [n for n in env if n.startswith("AWS_ENDPOINT_URL")]:
        del env[name]
    command = [chalice, "--project-dir", str(project), "package", "--stage", stage,
               "--merge-template", str(TEMPLATE), str(out_dir)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise PackageError(f"chalice package failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


# ---- the zip ---------------------------------------------------------------------------------------
def _top_level_dist(name: str) -> str:
    """'botocore-1.44.5.dist-info/RECORD' -> 'botocore'; 'urllib3/x.py' -> 'urllib3'."""
    top = name.split("/", 1)[0]
    return top.split("-", 1)[0].lower() if top.endswith(".dist-info") else top


def _dropped(name: str) -> bool:
    if _top_level_dist(name) in RUNTIME_PROVIDED + UNUSED_DISTS or name.startswith(UNUSED_DATA):
        return True
    if name.startswith("holidays/locale/") and name.endswith(".mo"):
        return not name.endswith(KEPT_HOLIDAY_LOCALES)
    return False


def _trim_zip(zip_path: Path) -> list[str]:
    """Rewrites the zip without what the runtime provides or the app never loads; unstripped
    shared libraries lose their symbol tables (cryptography's Rust module: -0.5 MB zipped)."""
    strip = shutil.which("strip")
    notes = [] if strip else ["`strip` not found (binutils): shared libraries left unstripped"]
    dropped = 0
    trimmed = zip_path.with_suffix(".trimmed")
    with zipfile.ZipFile(zip_path) as source, \
            zipfile.ZipFile(trimmed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target, \
            tempfile.TemporaryDirectory() as scratch:
        for info in source.infolist():
            if _dropped(info.filename):
                dropped += info.file_size
                continue
            data = source.read(info)
            if strip and info.filename.endswith(".so"):
                data = _stripped(strip, data, Path(scratch) / "lib.so")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    trimmed.replace(zip_path)
    notes.append(f"left out {mib(dropped):.1f} MiB (runtime-provided boto3/botocore, unused data)")
    return notes


def _stripped(strip: str, data: bytes, scratch: Path) -> bytes:
    scratch.write_bytes(data)
    done = subprocess.run([strip, "--strip-unneeded", str(scratch)], capture_output=True)
    return scratch.read_bytes() if done.returncode == 0 else data


def check_zip(zip_path: Path, source: Path = ROOT) -> list[str]:
    """What must hold for any deployment package; returns the problems found. `source` holds the
    scheduled/ and web/ trees that must be inside it."""
    problems = []
    size = zip_path.stat().st_size
    if size >= MAX_ZIP_BYTES:
        problems.append(f"deployment.zip is {mib(size):.2f} MiB, limit {mib(MAX_ZIP_BYTES):.0f} MiB")
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
    present = {_top_level_dist(n) for n in names}
    for dist in RUNTIME_PROVIDED:
        if dist in present:
            problems.append(f"{dist} is inside the package (the Lambda runtime provides it)")
    for tree in ("scheduled", "web"):
        expected = {f"{tree}/{p.relative_to(source / tree).as_posix()}" for p in (source / tree).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
        missing = sorted(expected - set(names))
        if missing:
            problems.append(f"{tree}/ files missing from the package: {missing[:5]}")
    for required in ("app.py", "chalicelib/__init__.py"):
        if required not in names:
            problems.append(f"{required} missing from the package")
    return problems


# ---- the template ----------------------------------------------------------------------------------
def _finish_template(template: dict, stage: str) -> list[str]:
    """Pins the Stage parameter to the packaged stage, lets the template's Globals own every
    variable they set, and leaves out the template's entries for functions app.py does not define."""
    notes: list[str] = []
    template["Parameters"]["Stage"].update(Default=stage, AllowedValues=[stage])
    owned = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for name, resource in template["Resources"].items():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if resource.get("Type") == "AWS::Serverless::Function" and owned:
            overridden = sorted(set(variables) & set(owned))
            for key in overridden:
                del variables[key]
            if overridden:
                notes.append(f"{name}: {', '.join(overridden)} from .chalice/config.json ignored "
                             "(infra/template.json sets them)")
    absent = {name for name, resource in template["Resources"].items() if "Type" not in resource}
    if absent:
        notes.append("infra/template.json configures " + ", ".join(sorted(absent))
                     + " but chalice generated no such resource (no such function in app.py?): left out")
    prune(template, absent)
    return notes


def prune(template: dict, names: set[str]) -> set[str]:
    """Removes `names` and every resource or output that refers to them, transitively; answers
    the resources removed."""
    gone = set(names)
    while more := {n for n, r in template["Resources"].items() if n not in gone and _refers(r, gone)}:
        gone |= more
    for name in gone:
        template["Resources"].pop(name, None)
    for name in [n for n, o in template.get("Outputs", {}).items() if _refers(o, gone)]:
        del template["Outputs"][name]
    return gone


def _refers(node, names: set[str]) -> bool:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and value in names:
                return True
            if key == "Fn::GetAtt" and (value[0] if isinstance(value, list) else value.split(".")[0]) in names:
                return True
            if key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if any(f"${{{n}}}" in text or f"${{{n}." in text for n in names):
                    return True
            if _refers(value, names):
                return True
    elif isinstance(node, list):
        return any(_refers(item, names) for item in node)
    return False


def check_template(template: dict) -> list[str]:
    """Every function has its own role, and every role has the template's policy."""
    problems = []
    resources = template["Resources"]
    for name, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        role = resource["Properties"].get("Role", {})
        role_name = role.get("Fn::GetAtt", [None])[0] if isinstance(role, dict) else None
        if role_name not in resources:
            problems.append(f"function {name} has no role of its own in the template")
            continue
        if PLACEHOLDER_SID in json.dumps(resources[role_name]["Properties"].get("Policies")):
            problems.append(f"function {name}: infra/template.json gives {role_name} no policy "
                            "(add its least-privilege statements there)")
    return problems


def lint(template_path: Path) -> list[str]:
    """cfn-lint on the final template (it expands the SAM parts itself)."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    if not cfn_lint.exists():
        return [f"cfn-lint not found beside {sys.executable} (pip install -r requirements-dev.txt)"]
    done = subprocess.run([str(cfn_lint), "--regions", REGION, "--", str(template_path)],
                          capture_output=True, text=True)
    return [] if done.returncode == 0 else [f"cfn-lint:\n{done.stdout}{done.stderr}"]


def mib(size: int) -> float:
    return size / (1024 * 1024)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    try:
        result = build(args.stage, args.out)
    except PackageError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    for note in result.notes:
        print(f"note: {note}")
    print(f"functions: {', '.join(f'{n} ({h})' for n, h in sorted(result.functions.items()))}")
    print(f"{result.template_path.relative_to(ROOT)}  ({len(result.template['Resources'])} resources)")
    print(f"{result.zip_path.relative_to(ROOT)}  {mib(result.zip_bytes):.2f} MiB  sha256 {digest(result.zip_path)[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
