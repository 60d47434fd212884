"""A local stand-in for the Lambda Python runtime: the deployment package extracted as /var/task
is, plus a directory holding only what the runtime itself provides (boto3, botocore and their
dependencies, taken from this venv), and a Python started isolated (-I -S -B) so nothing else of
the venv leaks in and no bytecode is written (Lambda's /var/task is read-only)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

# What /var/runtime offers next to the handler's code (boto3 and its dependency closure).
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "urllib3", "jmespath", "dateutil", "six")


def extract(zip_path: Path, task_dir: Path) -> Path:
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(task_dir)
    return task_dir


def runtime_dir(target: Path) -> Path:
    """Symlinks to this venv's copies of the runtime-provided modules, and nothing else."""
    target.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"{name} is not installed in this venv")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        link = target / source.name
        if not link.exists():
            link.symlink_to(source)
    return target


def lambda_env(variables: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a function sees: region, fake credentials (nothing here may reach AWS)
    and the function's own variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_REGION": "ap-southeast-3",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": "lapor-local-check",
        "LAMBDA_TASK_ROOT": "/var/task",
        **(variables or {}),
    }


def run(code: str, task_dir: Path, runtime: Path, env: dict[str, str] | None = None,
        timeout: float = 120) -> dict:
    """Runs `code` in a fresh isolated interpreter whose sys.path starts with the package and the
    runtime modules; the code sets `result` (JSON-serialisable), which is returned."""
    prelude = (
        "import sys, json\n"
        f"sys.path[:0] = [{str(task_dir)!r}, {str(runtime)!r}]\n"
        "result = None\n"
    )
    epilogue = "\nprint('\\n@@RESULT@@' + json.dumps(result))\n"
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", prelude + code + epilogue],
        env=env or lambda_env(), capture_output=True, text=True, timeout=timeout, cwd=str(task_dir),
    )
    if done.returncode != 0 or "@@RESULT@@" not in done.stdout:
        raise RuntimeError(f"isolated run failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return json.loads(done.stdout.rsplit("@@RESULT@@", 1)[1])
