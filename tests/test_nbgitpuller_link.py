"""tools/nbgitpuller_link.py: the link a teacher sends the class."""
from urllib.parse import parse_qs, urlsplit

import pytest

from nbgitpuller_link import main, nbgitpuller_link


def test_the_link_opens_the_first_notebook_of_the_pulled_course():
    link = nbgitpuller_link("https://hub.example.edu/", "https://github.com/ORG/cnnlab.git", branch="spring")
    assert link == ("https://hub.example.edu/hub/user-redirect/git-pull?"
                    "repo=https%3A%2F%2Fgithub.com%2FORG%2Fcnnlab.git&branch=spring&targetpath=cnnlab-course"
                    "&urlpath=lab%2Ftree%2Fcnnlab-course%2Fnotebooks%2F00_start_here.ipynb")


def test_a_target_folder_moves_the_opened_notebook_with_it():
    query = parse_qs(urlsplit(nbgitpuller_link("http://127.0.0.1:8000", "/srv/course", target="cnn-2027",
                                               notebook="notebooks/05_three_layer_cnn.ipynb")).query)
    assert query == {"repo": ["/srv/course"], "branch": ["main"], "targetpath": ["cnn-2027"],
                     "urlpath": ["lab/tree/cnn-2027/notebooks/05_three_layer_cnn.ipynb"]}


@pytest.mark.parametrize("hub", ["hub.example.edu", "ftp://hub.example.edu", ""])
def test_a_hub_without_http_is_refused_by_name(hub):
    with pytest.raises(ValueError, match="hub must be the hub's address"):
        nbgitpuller_link(hub, "https://github.com/ORG/cnnlab")


def test_an_empty_target_folder_is_refused_by_name():
    with pytest.raises(ValueError, match="target must be a non-empty string"):
        nbgitpuller_link("https://hub.example.edu", "https://github.com/ORG/cnnlab", target="")


def test_the_command_prints_the_link(capsys):
    main(["--hub", "https://hub.example.edu", "--repo", "https://github.com/ORG/cnnlab"])
    assert capsys.readouterr().out.strip() == nbgitpuller_link("https://hub.example.edu", "https://github.com/ORG/cnnlab")
