"""The Gradio page over :class:`~pixtask.app.service.PixtaskService`.

Local only: it binds 127.0.0.1 by default, never opens a share link, turns analytics off and
uses system fonts (the default theme would fetch web fonts). Requests queue with a bounded
queue and bounded concurrency, so the app stays responsive and its memory flat under load.

Every error a request can meet reaches the page as one printable line: the service's own
(:class:`~pixtask.app.service.AppError`), Gradio's checks of each input (wrapped, see
:func:`_refusing`), and anything unexpected (a generic line; the traceback goes to the server log,
control characters escaped). :func:`serve` deletes the uploads and results when the app stops, on
Ctrl+C and on SIGTERM or SIGHUP alike.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator

from pixtask.app.examples import example_photos
from pixtask.app.service import INTERNAL_ERROR, NO_TASK, AppError, PixtaskService, one_line, shown
from pixtask.core.image_io import to_uint8
from pixtask.core.offline import stay_offline
from pixtask.tasks import list_tasks

stay_offline()  # before Gradio is imported: it reads its analytics switch then

log = logging.getLogger("pixtask.app")


def import_gradio():
    try:
        import gradio as gr
    except ImportError:
        raise ImportError("the web app needs Gradio: pip install 'pixtask[app]'") from None
    return gr


def _error(message: object):
    """The one-line error the page shows (and that Gradio does not print to the terminal)."""
    gr = import_gradio()
    return gr.Error(one_line(message), print_exception=False)


def _refusing(component, message: Callable[[object], str], check: Callable | None = None) -> None:
    """Make ``component``'s own check of a request's value (a dropdown's choices, a slider's range),
    or ``check`` in its place, fail with ``message(value)``: Gradio's message would echo the raw
    value (control characters, a traceback in the terminal) and list every choice."""
    check = check or component.preprocess

    def preprocess(payload):
        try:
            return check(payload)
        except Exception:
            raise _error(message(payload)) from None

    component.preprocess = preprocess


def _uploaded_path(payload) -> str | None:
    """An uploaded file's path on the server, as ``gr.File.preprocess`` gives it, without the empty
    temp file that leaves behind in Gradio's cache for every file of every request (Gradio 6:
    never tracked, so never deleted). Its content is checked when the service reads it."""
    return None if payload is None else str(payload.path)


def _unexpected(what: str, exc: BaseException):
    """Log an error nobody planned for (escaped) and return the generic one-line page error."""
    log.error("%s failed: %s", what, one_line(repr(exc), 2000))
    return _error(INTERNAL_ERROR)


def build_app(service: PixtaskService, default_model: str, *, concurrency: int = 1, queue_size: int = 32):
    """The page: input photo, condition (library task, uploaded pair, instruction), model, and a
    before/after slider with the report and a download button."""
    gr = import_gradio()
    fonts = ["ui-sans-serif", "system-ui", "sans-serif"]
    theme = gr.themes.Default(font=fonts, font_mono=["ui-monospace", "monospace"])
    examples = [[str(p.path)] for p in example_photos()]
    # uploads and Gradio's copies of results are deleted as old as the service's own results
    ttl = service.limits.file_ttl_s
    with gr.Blocks(title="pixtask", delete_cache=(int(service.sweep_period), ttl)) as page:
        page.theme = theme
        gr.Markdown(
            "# pixtask\nOne model, many image-to-image tasks. Tell it the task **by example** (a task from the "
            "library, or your own before/after pair), **in words** (describe the change), or **both**."
        )
        with gr.Row():
            with gr.Column():
                # files, not gr.Image: the app reads them itself, so a corrupt upload gets its message
                image = gr.File(label="Input photo", file_types=["image"], elem_id="input-photo", height=120)
                preview = gr.Image(label="Input", interactive=False, height=240, elem_id="input-preview")
                gr.Examples(examples, inputs=[image], label="Or pick a bundled photo")
                with gr.Tab("Example from the task library"):
                    task = gr.Dropdown([NO_TASK, *list_tasks()], value=NO_TASK, label="Task", elem_id="task")
                    level = gr.Slider(1, 5, value=3, step=1, label="Severity (for tasks with levels)")
                with gr.Tab("Your example pair"):
                    pair_in = gr.File(label="Example before", file_types=["image"], elem_id="pair-before", height=100)
                    pair_out = gr.File(label="Example after", file_types=["image"], elem_id="pair-after", height=100)
                instruction = gr.Textbox(
                    label="Instruction: describe the change (e.g. 'the falling streaks of water fade away')",
                    elem_id="instruction",
                )
                model = gr.Dropdown(list(service.models), value=default_model, label="Model", elem_id="model")
                run = gr.Button("Run", variant="primary", elem_id="run")
            with gr.Column():
                # PNG, not the default WebP: the comparison must not add compression artefacts
                slider = gr.ImageSlider(
                    label="Before / after", type="numpy", format="png", elem_id="result", height=420
                )
                report = gr.Markdown(elem_id="report")
                download = gr.DownloadButton("Download the result", elem_id="download")
                with gr.Row():
                    example_in = gr.Image(label="Example used: before", interactive=False, height=160)
                    example_out = gr.Image(label="Example used: after", interactive=False, height=160)

        # the request's values, checked by each component, refused in one line of our own wording
        _refusing(task, lambda v: f"unknown task {shown(v)}; choose one from the library or (none)")
        _refusing(level, lambda v: f"the severity must be a number from 1 to 5, got {shown(v)}")
        _refusing(model, lambda v: f"unknown model {shown(v)}; choose one of {', '.join(service.models)}")
        uploads = ((image, "input photo"), (pair_in, "example's before image"), (pair_out, "example's after image"))
        for upload, role in uploads:
            _refusing(upload, lambda v, role=role: f"the {role} could not be received; upload it again", _uploaded_path)

        def show(path):
            if path is None:
                return None
            try:
                return to_uint8(service.read(path, "input photo"))
            except AppError as exc:
                raise _error(exc) from None
            except Exception as exc:
                raise _unexpected("showing the input photo", exc) from None

        image.change(show, [image], [preview])

        def handle(image, task, level, pair_in, pair_out, instruction, model, progress=gr.Progress()):  # noqa: B008
            def on_tile(done: int, total: int) -> None:
                progress((done, total), desc="tiles")

            try:
                r = service.run(
                    image,
                    model=model,
                    task=task,
                    level=level,
                    pair=(pair_in, pair_out),
                    instruction=instruction,
                    on_tile=on_tile,
                )
                ex_in, ex_out = (to_uint8(a) for a in r.example) if r.example else (None, None)
                before_after = (to_uint8(r.input), to_uint8(r.output))
            except AppError as exc:
                raise _error(exc) from None
            except Exception as exc:
                raise _unexpected("a request", exc) from None
            return before_after, r.report, gr.DownloadButton(value=str(r.path)), ex_in, ex_out

        run.click(
            handle,
            [image, task, level, pair_in, pair_out, instruction, model],
            [slider, report, download, example_in, example_out],
            api_name="run",
            concurrency_limit=concurrency,
        )
    page.queue(max_size=queue_size, default_concurrency_limit=concurrency)
    return page


def launch(page, *, host: str = "127.0.0.1", port: int = 7860, max_bytes: int, block: bool = True):
    """Serve ``page`` on ``host:port`` (no share link, no server-side rendering process)."""
    return page.launch(
        server_name=host,
        server_port=port,
        share=False,
        max_file_size=max_bytes,
        ssr_mode=False,
        prevent_thread_lock=not block,
        show_error=False,  # only our one-line gr.Error messages reach the page, never raw exception text
        quiet=True,
    )


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # what Ctrl+C raises: Gradio closes its server, serve() cleans up


@contextlib.contextmanager
def _on_signals(handler, signals: list[signal.Signals]) -> Iterator[None]:
    """``handler`` for ``signals`` inside the block (main thread only: elsewhere, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in signals}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def delete_files(page, service: PixtaskService) -> None:
    """Delete every upload and result now: the service's results and Gradio's copies."""
    service.close()
    try:
        from gradio.route_utils import delete_files_created_by_app

        delete_files_created_by_app(page, age=None)
    except Exception as exc:  # a Gradio without it: its own shutdown deletes them
        log.warning("could not delete Gradio's copies of the uploads: %s", one_line(repr(exc)))


def serve(page, service: PixtaskService, *, host: str = "127.0.0.1", port: int = 7860, max_bytes: int) -> None:
    """Serve until Ctrl+C, SIGTERM or SIGHUP, then close the server and delete every upload and
    result: a stopped app leaves nothing in the temp folder, however it was stopped."""
    stop_on = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    try:
        with _on_signals(_interrupt, stop_on):
            launch(page, host=host, port=port, max_bytes=max_bytes, block=True)
    except KeyboardInterrupt:  # before the server was up, or a second signal while it closed
        pass
    finally:
        with _on_signals(signal.SIG_IGN, stop_on):  # a second signal must not cut the clean-up short
            page.close(verbose=False)
            delete_files(page, service)
