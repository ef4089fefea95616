"""What a request to the community can run into, as data; `bot.community.views` words each one."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import WordedError


class CommunityRefused(WordedError):
    """A request about questions to the community that cannot be done."""


@dataclass(eq=False)
class NoQuestionText(CommunityRefused):
    typed: str = ""  # what was typed, when it was too short to be a question ("lonliness")


@dataclass(eq=False)
class QuestionTooLong(CommunityRefused):
    length: int
    limit: int


@dataclass(eq=False)
class NoAnswerText(CommunityRefused):
    question_id: int


@dataclass(eq=False)
class AnswerTooLong(CommunityRefused):
    length: int
    limit: int


@dataclass(eq=False)
class NoSuchQuestion(CommunityRefused):
    question_id: int


@dataclass(eq=False)
class QuestionNotOpen(CommunityRefused):
    question_id: int
    status: str


@dataclass(eq=False)
class OwnQuestion(CommunityRefused):
    question_id: int


@dataclass(eq=False)
class ChannelSetAtOnce(CommunityRefused):
    pass


@dataclass(eq=False)
class NoSuchAnswer(CommunityRefused):
    question_id: int
    answer_id: int


@dataclass(eq=False)
class NotTheAsker(CommunityRefused):
    pass


@dataclass(eq=False)
class AlreadyHelpful(CommunityRefused):
    answer_id: int


@dataclass(eq=False)
class NoAnswerOfYours(CommunityRefused):
    answer_id: int


@dataclass(eq=False)
class NotHelpfulYet(CommunityRefused):
    answer_id: int


@dataclass(eq=False)
class QuestionRemoved(CommunityRefused):
    question_id: int
