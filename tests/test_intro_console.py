"""Two members take turns at the real console (`python main.py --as NAME`): request, then accept."""

from tests.test_console import run_main


def test_two_members_at_the_console_request_and_accept(tmp_path):
    bob = run_main(tmp_path, "profile set organisation Vestfjord Hospital\nprofile set country Norway\n", "--as", "bob")
    assert bob.returncode == 0, bob.stderr
    alice = run_main(
        tmp_path,
        "profile set organisation Nordhavn Municipality\n"
        "intro @bob We run a school food pilot and want to compare notes\n",
        "--as",
        "alice",
    )
    assert "I've asked bob (request #1)" in alice.stdout
    # The console prints what the bot sends to others: the request to bob, with its buttons.
    assert "✉ to bob" in alice.stdout and "[Accept → intro accept 1]" in alice.stdout
    answer = run_main(tmp_path, "intro list\nintro accept 1\nintro accept 1\n", "--as", "bob")
    assert "alice would like to meet you" in answer.stdout
    assert answer.stdout.count("✉ to alice, bob") == 1  # one introduction, though accepted twice
    assert "alice, meet bob" in answer.stdout and "Vestfjord Hospital" in answer.stdout
    assert "Thanks for accepting!" in answer.stdout and "You already accepted request #1" in answer.stdout
