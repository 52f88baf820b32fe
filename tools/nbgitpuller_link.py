"""Make the nbgitpuller link that gives each student their own copy of the course on a JupyterHub.

A student clicks the link, logs in, and nbgitpuller clones the repository into their home (the first
time) or merges the new commits without overwriting their edits (every later time), then opens the
notebook in JupyterLab. Usage (or ``make hub-link HUB=... REPO=... BRANCH=...``)::

    python tools/nbgitpuller_link.py --hub https://hub.example.edu --repo https://github.com/ORG/cnnlab
"""
import argparse
import sys
from urllib.parse import urlencode, urlsplit

FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"
# Not "cnnlab": a folder of that name in the student's home would be imported instead of the installed
# library by any kernel started there (a console, a new notebook), and `cnnlab.correlate2d` would be missing.
COURSE_FOLDER = "cnnlab-course"


def nbgitpuller_link(hub, repo, branch="main", notebook=FIRST_NOTEBOOK, target=COURSE_FOLDER):
    """The link ``HUB/hub/user-redirect/git-pull?repo=...&branch=...&urlpath=lab/tree/...``.

    Parameters
    ----------
    hub : str
        The hub's address, ``http://`` or ``https://`` (a trailing slash is fine).
    repo : str
        What ``git clone`` accepts from the students' servers: an https URL, or a path on a one-machine hub.
    branch : str
        The branch to pull.
    notebook : str
        The notebook to open, relative to the repository.
    target : str
        The folder in the student's home. Always put in the link: nbgitpuller's own default, the
        repository's name, would be ``cnnlab``, which shadows the installed library (see COURSE_FOLDER).
    """
    if urlsplit(hub).scheme not in ("http", "https") or not urlsplit(hub).netloc:
        raise ValueError(f"hub must be the hub's address, such as https://hub.example.edu; got {hub!r}")
    for name, value in (("repo", repo), ("branch", branch), ("notebook", notebook), ("target", target)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string; got {value!r}")
    query = {"repo": repo, "branch": branch, "targetpath": target, "urlpath": f"lab/tree/{target}/{notebook}"}
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--repo", required=True, help="the course's git URL, e.g. https://github.com/ORG/cnnlab")
    parser.add_argument("--branch", default="main", help="the branch to pull (default: main)")
    parser.add_argument("--notebook", default=FIRST_NOTEBOOK, help=f"the notebook to open (default: {FIRST_NOTEBOOK})")
    parser.add_argument("--target", default=COURSE_FOLDER,
                        help=f"the folder in each student's home (default: {COURSE_FOLDER})")
    args = parser.parse_args(argv)
    try:
        print(nbgitpuller_link(args.hub, args.repo, args.branch, args.notebook, args.target))
    except ValueError as error:
        parser.error(str(error))


if __name__ == "__main__":
    sys.exit(main())
