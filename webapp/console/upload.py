"""Upload a problem file, see what it would change, apply it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from webapp.console import bp, operations


def uploaded_file() -> tuple[str, bytes]:
    """The file of a multipart request (field `file`); its size was checked before it was read."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise operations.ActionRefused(400, _("Choose a problem file (.json or .xlsx) to upload."))
    return file.filename, file.read()


@bp.get("/upload")
def upload_form() -> ResponseReturnValue:
    return render_template("console/upload.html", event=operations.current_event())


@bp.post("/upload")
def upload() -> ResponseReturnValue:
    try:
        staged = operations.stage_upload(*uploaded_file())
    except operations.ActionRefused as refused:
        page = render_template(
            "console/upload.html",
            event=operations.current_event(),
            refused=refused,
            filename=request.files["file"].filename if "file" in request.files else "",
        )
        return page, refused.status
    return redirect(url_for("console.upload_preview", upload_id=staged.id))


@bp.get("/uploads/<int:upload_id>")
def upload_preview(upload_id: int) -> ResponseReturnValue:
    staged, preview = operations.find_upload(upload_id)
    return render_template("console/upload_preview.html", upload=staged, preview=preview)


@bp.post("/uploads/<int:upload_id>/apply")
def upload_apply(upload_id: int) -> ResponseReturnValue:
    event = operations.apply_upload(upload_id)
    flash(_("Imported %(name)s.", name=event.name))
    return redirect(url_for("console.dashboard"))
