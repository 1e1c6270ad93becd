"""Step sentences in the chosen language.

The back end tells each step in English and keeps how it built the sentence: an English
template with named fields (`backend.sentence_words.Words`, `Step.words`). Here each
template goes through Qt's catalogue (context "StepSentences") and the fields are filled in, so
C constants, system calls, paths and numbers stay as they are while the words around them follow
the language. Every template the back end uses is listed below, for Qt's lupdate; a test checks
that the list and the French catalogue hold every template a real exchange produces.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from backend.classroom.stepping import Step

CONTEXT = "StepSentences"

TEMPLATES = (
    QT_TRANSLATE_NOOP("StepSentences", 'The client made its own reply FIFO {name} with mkfifo() (the mknodat system call, mode '
                                      '0600: only this user may open it), so that the server can answer this client and no '
                                      'other.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client opened {what} with open() (the openat system call) and the flags {flags}; it '
                                      'got file descriptor {fd}.{purpose} Why: {why}.'),
    QT_TRANSLATE_NOOP("StepSentences", "the server's well-known request FIFO {name}"),
    QT_TRANSLATE_NOOP("StepSentences", '{first}; {rest}'),
    QT_TRANSLATE_NOOP("StepSentences", '{first}, {rest}'),
    QT_TRANSLATE_NOOP("StepSentences", '{rest} and {last}'),
    QT_TRANSLATE_NOOP("StepSentences", '{flag}: {why}'),
    QT_TRANSLATE_NOOP("StepSentences", '{call}()'),
    QT_TRANSLATE_NOOP("StepSentences", 'the client only writes requests into this FIFO'),
    QT_TRANSLATE_NOOP("StepSentences", 'if no server has the FIFO open for reading, open() fails at once with ENXIO ("no '
                                      'server") instead of waiting for one forever'),
    QT_TRANSLATE_NOOP("StepSentences", 'closed by itself if this process runs another program (Python adds it to every file)'),
    QT_TRANSLATE_NOOP("StepSentences", 'closed by itself if this process runs another program (Python adds it to every socket)'),
    QT_TRANSLATE_NOOP("StepSentences", 'its reply FIFO {name}'),
    QT_TRANSLATE_NOOP("StepSentences", ' It opens it before asking, so that the server finds a reader there.'),
    QT_TRANSLATE_NOOP("StepSentences", 'reading and writing: the client only reads replies here, but holding a write end itself '
                                      'means open() need not wait for the server and read() never reports end-of-file between '
                                      'replies'),
    QT_TRANSLATE_NOOP("StepSentences", 'read() returns EAGAIN instead of waiting, so the client waits in poll() with a timeout '
                                      'and notices a server that died'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client wrote its {bytes}-byte request {where} with {call} on file descriptor {fd}: '
                                      '{count} numbers in {lo}..{hi}, request id {request_id}.{note}'),
    QT_TRANSLATE_NOOP("StepSentences", 'into the request FIFO {name}'),
    QT_TRANSLATE_NOOP("StepSentences", 'into the socket'),
    QT_TRANSLATE_NOOP("StepSentences", ' It is smaller than PIPE_BUF (4096 bytes), so it goes in whole, never mixed with another '
                                      "client's request."),
    QT_TRANSLATE_NOOP("StepSentences", "The server's read() on request.fifo (file descriptor {fd}) returned {bytes} bytes: a "
                                      '{size}-byte request from client pid {pid}, who wants {count} numbers in {lo}..{hi}. The '
                                      'server opened request.fifo at start-up with {read_flags} (O_NONBLOCK: open() need not '
                                      'wait for a first client), then made the descriptor blocking, so read() waits for the '
                                      'next request; it also holds it open with {keep_flags} (file descriptor {keep_fd}), so '
                                      'read() never returns end-of-file when no client has it open.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The server generated {count} random numbers in {lo}..{hi} with numpy{later}: {values}.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The server generated {count} random numbers in {lo}..{hi} with numpy{later}.'),
    QT_TRANSLATE_NOOP("StepSentences", ' (the first {first} now, the rest while sending)'),
    QT_TRANSLATE_NOOP("StepSentences", "The server opened the client's reply FIFO {name} with openat(), relative to its "
                                      "directory's descriptor, and the flags {flags}; it got file descriptor {fd}. Why: {why}."),
    QT_TRANSLATE_NOOP("StepSentences", 'the server only writes the reply'),
    QT_TRANSLATE_NOOP("StepSentences", 'if the client is gone (no reader), open() fails at once with ENXIO instead of blocking '
                                      'the server forever'),
    QT_TRANSLATE_NOOP("StepSentences", "refuse a symbolic link planted under the client's name (it could point at any file of "
                                      "this user's)"),
    QT_TRANSLATE_NOOP("StepSentences", 'The server wrote {bytes} bytes of its reply with {call} on file descriptor {fd}: '
                                      '{frames}; the client can read them now.'),
    QT_TRANSLATE_NOOP("StepSentences", 'writev() (write() from a list of buffers: frame headers and numbers in one call)'),
    QT_TRANSLATE_NOOP("StepSentences", 'readv() (read() into a list of buffers, here one)'),
    QT_TRANSLATE_NOOP("StepSentences", "sendto() (what C's send() calls)"),
    QT_TRANSLATE_NOOP("StepSentences", "recvfrom() (what C's recv() calls)"),
    QT_TRANSLATE_NOOP("StepSentences", 'sendmsg() (send() from a list of buffers: frame headers and numbers in one call)'),
    QT_TRANSLATE_NOOP("StepSentences", '{frame} ({bytes} bytes)'),
    QT_TRANSLATE_NOOP("StepSentences", '{bytes} bytes of {frame}'),
    QT_TRANSLATE_NOOP("StepSentences", 'the CHUNK frame of {size} number'),
    QT_TRANSLATE_NOOP("StepSentences", 'the CHUNK frame of {size} numbers'),
    QT_TRANSLATE_NOOP("StepSentences", 'the END frame'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client read {bytes} bytes of the reply with {call} on file descriptor {fd}: {frames} '
                                      '— the reply is complete.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client read {bytes} bytes of the reply with {call} on file descriptor {fd}: '
                                      '{frames}.'),
    QT_TRANSLATE_NOOP("StepSentences", 'a CHUNK frame of {size} number ({length} bytes: {values})'),
    QT_TRANSLATE_NOOP("StepSentences", 'a CHUNK frame of {size} numbers ({length} bytes: {values})'),
    QT_TRANSLATE_NOOP("StepSentences", 'the {length}-byte END frame from server pid {pid}'),
    QT_TRANSLATE_NOOP("StepSentences", 'the first {count} bytes of the next frame'),
    QT_TRANSLATE_NOOP("StepSentences", 'an ERROR frame: {code}, {message}'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client closed {what} (file descriptor {fd}) with close().'),
    QT_TRANSLATE_NOOP("StepSentences", 'the request FIFO {name}'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client removed its reply FIFO {name} with {call}(); nothing is left behind.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client made a TCP stream socket with socket({domain}, SOCK_STREAM|SOCK_CLOEXEC, 0) '
                                      'and got file descriptor {fd}. Why: {why}.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client made a Unix-domain stream socket with socket({domain}, '
                                      'SOCK_STREAM|SOCK_CLOEXEC, 0) and got file descriptor {fd}. Why: {why}.'),
    QT_TRANSLATE_NOOP("StepSentences", 'The client connected its socket to {host} port {port} with connect(); the kernel chose '
                                      "the client's own port, {local_port}."),
    QT_TRANSLATE_NOOP("StepSentences", "The client connected its socket to the server's socket file {path} with connect()."),
    QT_TRANSLATE_NOOP("StepSentences", 'The server accepted a new connection {whom} with accept4() on its listening socket; it '
                                      'got file descriptor {fd}, for this client only. Why SOCK_CLOEXEC: {why}.'),
    QT_TRANSLATE_NOOP("StepSentences", 'from {host} port {port}'),
    QT_TRANSLATE_NOOP("StepSentences", 'on its socket file {path}'),
    QT_TRANSLATE_NOOP("StepSentences", 'The server read a {size}-byte request with {call} on file descriptor {fd}: {client} '
                                      'wants {count} numbers in {lo}..{hi}.'),
    QT_TRANSLATE_NOOP("StepSentences", "The client closed its socket (file descriptor {fd}) with close(); the server's next read "
                                      'on this connection returns 0 bytes: end of file.'),
    QT_TRANSLATE_NOOP("StepSentences", 'open for reading only'),
    QT_TRANSLATE_NOOP("StepSentences", 'open for writing only'),
    QT_TRANSLATE_NOOP("StepSentences", 'open for reading and writing'),
    QT_TRANSLATE_NOOP("StepSentences", 'never wait: the call returns at once (EAGAIN, ENXIO) instead of blocking'),
    QT_TRANSLATE_NOOP("StepSentences", 'refuse a symbolic link planted under that name'),
)


def translate_template(template: str) -> str:
    """One template in the current language (the English one when the catalogue lacks it)."""
    return QCoreApplication.translate(CONTEXT, template)


def shown_sentence(step: Step) -> str:
    """The step's sentence in the current language (its English sentence when it has no template)."""
    if step.words is None:
        return step.sentence
    return step.words.render(translate_template)
