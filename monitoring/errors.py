"""The refusals of the monitoring services: each carries the sentence shown to the person."""


class MonitoringError(Exception):
    """A refused write; ``str(error)`` is the clear, translated message for the page."""


class CodingRefused(MonitoringError):
    pass


class AssignmentRefused(MonitoringError):
    pass


class ObservationConflict(MonitoringError):
    pass


class RecommendationLocked(MonitoringError):
    pass


class RecommendationInvalid(MonitoringError):
    pass


class CodebookInvalid(MonitoringError):
    pass
