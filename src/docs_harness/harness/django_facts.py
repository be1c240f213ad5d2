"""Report a Django project's effective static-files set-up as JSON.

Run inside the project as ``python -c <this file's text>``, with the project as the
working directory and DJANGO_SETTINGS_MODULE set: ``-c`` puts the working directory
first on the import path, as ``manage.py`` does, so the settings import as Django's own
commands import them. It boots Django once, runs the same system
checks as ``manage.py check``, and prints one JSON object on its last line. With
``--declared`` it only imports the settings module and prints its upper-case names.
It imports nothing from the harness, so it runs under whatever Python the project uses.
"""

import io
import json
import os
import sys
import traceback


def _error(exc):
    return f"{type(exc).__name__}: {exc}"


def _class_path(obj):
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _version(distribution):
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return None
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def storage_facts():
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    facts = {"staticfiles_storage": None, "staticfiles_storage_error": None}
    try:
        staticfiles_storage._setup()
        storage = staticfiles_storage._wrapped
    except Exception as exc:
        facts["staticfiles_storage_error"] = _error(exc)
        return facts
    facts["staticfiles_storage"] = _class_path(storage)
    facts["manifest"] = isinstance(storage, ManifestFilesMixin)
    try:
        from whitenoise.storage import CompressedManifestStaticFilesStorage as Both
        from whitenoise.storage import CompressedStaticFilesStorage
    except ImportError:
        facts["compressed"] = False
        facts["whitenoise_storage"] = False
    else:
        facts["compressed"] = isinstance(storage, (CompressedStaticFilesStorage, Both))
        facts["whitenoise_storage"] = type(storage).__module__.startswith("whitenoise")
    return facts


def default_storage_error():
    from django.core.files.storage import default_storage

    try:
        default_storage._setup()
        default_storage.exists("facts-probe.txt")
    except Exception as exc:
        return _error(exc)
    return None


def whitenoise_config():
    """What WhiteNoise's middleware does with these settings, read off a real instance."""
    try:
        return _whitenoise_config()
    except Exception as exc:
        return {"error": _error(exc)}


def _whitenoise_config():
    import warnings

    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from whitenoise.middleware import WhiteNoiseMiddleware

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No directory at" before collectstatic
        middleware = WhiteNoiseMiddleware(get_response=lambda request: None)
    root = getattr(settings, "WHITENOISE_ROOT", None)
    return {
        "error": None,
        "max_age": middleware.max_age,
        "allow_all_origins": middleware.allow_all_origins,
        "charset": middleware.charset,
        "index_file": middleware.index_file,
        "use_finders": middleware.use_finders,
        "autorefresh": middleware.autorefresh,
        "static_prefix": middleware.static_prefix,
        "root": str(root) if root else None,
        "keep_only_hashed_files": bool(
            getattr(staticfiles_storage, "keep_only_hashed_files", False)
        ),
        "manifest_strict": getattr(staticfiles_storage, "manifest_strict", None),
    }


def unlisted_static_url():
    """What {% static %} gives for a file in STATIC_ROOT that the manifest does not
    list: the manifest itself. Strict manifests raise; others hash the file anew."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.templatetags.static import static

    try:
        name = getattr(staticfiles_storage, "manifest_name", None)
    except Exception:  # the storage itself is broken; other checks say how
        return None
    if not name:
        return None
    try:
        return {"name": name, "url": static(name), "error": None}
    except Exception as exc:
        return {"name": name, "url": None, "error": _error(exc)}


def middleware_errors(middleware):
    from django.utils.module_loading import import_string

    errors = {}
    for path in middleware:
        try:
            import_string(path)
        except Exception as exc:
            errors[path] = _error(exc)
    return errors


def check_output():
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    out = io.StringIO()
    try:
        call_command("check", stdout=out, stderr=out)
    except SystemCheckError as exc:
        return False, str(exc)
    return True, out.getvalue()


def declared_settings():
    """Import the settings module as Python does, without booting Django."""
    import importlib

    try:
        module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except Exception as exc:
        return {"error": _error(exc), "traceback": traceback.format_exc()}
    names = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    return {"error": None, "settings": json.loads(json.dumps(names, default=str))}


def main():
    if sys.argv[1:] == ["--declared"]:
        print(json.dumps(declared_settings()))
        return
    facts = {"django": None, "settings_error": None}
    try:
        import django

        facts["django"] = django.get_version()
        django.setup()
        from django.conf import settings

        facts.update(
            debug=settings.DEBUG,
            middleware=list(settings.MIDDLEWARE),
            installed_apps=list(settings.INSTALLED_APPS),
            static_url=settings.STATIC_URL,
            static_root=str(settings.STATIC_ROOT) if settings.STATIC_ROOT else None,
            staticfiles_dirs=[
                str(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS
            ],
            overridden={
                name: settings.is_overridden(name) for name in ("STATICFILES_STORAGE", "STORAGES")
            },
            whitenoise=_version("whitenoise"),
            brotli=_version("brotli") or _version("Brotli"),
        )
        facts["middleware_errors"] = middleware_errors(settings.MIDDLEWARE)
        facts.update(storage_facts())
        facts["default_storage_error"] = default_storage_error()
        facts["force_script_name"] = settings.FORCE_SCRIPT_NAME
        if "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE:
            facts["whitenoise_config"] = whitenoise_config()
            facts["unlisted_static"] = unlisted_static_url()
        facts["check_passed"], facts["check_output"] = check_output()
    except Exception as exc:
        facts["settings_error"] = _error(exc)
        facts["traceback"] = traceback.format_exc()
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
