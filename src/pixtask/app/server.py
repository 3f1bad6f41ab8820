"""The Gradio page over :class:`~pixtask.app.service.PixtaskService`.

Local only: it binds 127.0.0.1 by default, never opens a share link, turns analytics off and
uses system fonts (the default theme would fetch web fonts). Requests queue with a bounded
queue and bounded concurrency, so the app stays responsive and its memory flat under load.
"""

from __future__ import annotations

from pixtask.app.examples import example_photos
from pixtask.app.service import NO_TASK, AppError, PixtaskService
from pixtask.core.image_io import to_uint8
from pixtask.core.offline import stay_offline
from pixtask.tasks import list_tasks

stay_offline()  # before Gradio is imported: it reads its analytics switch then


def import_gradio():
    try:
        import gradio as gr
    except ImportError:
        raise ImportError("the web app needs Gradio: pip install 'pixtask[app]'") from None
    return gr


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

        def show(path):
            if path is None:
                return None
            try:
                return to_uint8(service.read(path, "input photo"))
            except AppError as exc:
                raise gr.Error(str(exc), print_exception=False) from None

        image.change(show, [image], [preview])

        def handle(image, task, level, pair_in, pair_out, instruction, model, progress=gr.Progress()):  # noqa: B008
            def on_tile(done: int, total: int) -> None:
                progress((done, total), desc="tiles")

            try:
                r = service.run(
                    image,
                    model=model,
                    task=task,
                    level=int(level),
                    pair=(pair_in, pair_out),
                    instruction=instruction,
                    on_tile=on_tile,
                )
            except AppError as exc:
                raise gr.Error(str(exc), print_exception=False) from None
            ex_in, ex_out = (to_uint8(a) for a in r.example) if r.example else (None, None)
            before_after = (to_uint8(r.input), to_uint8(r.output))
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
        show_error=True,
        quiet=True,
    )
