"""Whether a pip requirement is met by the packages installed in this environment."""

from __future__ import annotations

import importlib.metadata

from packaging.requirements import Requirement


def installed_problem(requirement: Requirement) -> str:
    """Why ``requirement`` is not met here, in a reader's words; "" when it is."""
    try:
        installed = importlib.metadata.version(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        return f"{requirement.name} is not installed; add it to the session's dependencies"
    if requirement.specifier and installed not in requirement.specifier:
        return f"{requirement.name} {installed} is installed, which is not {requirement.specifier}"
    for extra in sorted(requirement.extras):
        for needed in importlib.metadata.requires(requirement.name) or []:
            dependency = Requirement(needed)
            if dependency.marker and dependency.marker.evaluate({"extra": extra}):
                problem = installed_problem(Requirement(f"{dependency.name}{dependency.specifier}"))
                if problem:
                    return f"{requirement.name}[{extra}] needs {problem}"
    return ""
