"""student-service: submissions to assignments that teacher-service knows."""
