"""Every content detector of the artifact scanner, by explicit registration: one rule per module."""

from __future__ import annotations

from heistguard.artifacts.detectors import (
    actions_secret_exfil,
    clipboard_hijack,
    dependency_confusion,
    disguised_file,
    disk_image,
    downloader,
    git_hook,
    js_decoded_exec,
    js_obfuscation,
    lnk_command,
    native_binary,
    npm_install_script,
    odd_registry,
    office_macro,
    py_decoded_exec,
    python_build_hook,
    remote_code_exec,
    script_document,
    typosquat,
    vscode_autorun_task,
    vscode_settings_abuse,
    wallet_theft,
)
from heistguard.artifacts.detectors.base import Detector

DETECTORS: tuple[Detector, ...] = (
    npm_install_script.DETECTOR,
    python_build_hook.DETECTOR,
    dependency_confusion.DETECTOR,
    typosquat.DETECTOR,
    vscode_autorun_task.DETECTOR,
    vscode_settings_abuse.DETECTOR,
    git_hook.DETECTOR,
    odd_registry.DETECTOR,
    actions_secret_exfil.DETECTOR,
    js_obfuscation.DETECTOR,
    js_decoded_exec.DETECTOR,
    py_decoded_exec.DETECTOR,
    remote_code_exec.DETECTOR,
    downloader.DETECTOR,
    wallet_theft.DETECTOR,
    clipboard_hijack.DETECTOR,
    lnk_command.DETECTOR,
    script_document.DETECTOR,
    office_macro.DETECTOR,
    native_binary.DETECTOR,
    disguised_file.DETECTOR,
    disk_image.DETECTOR,
)
