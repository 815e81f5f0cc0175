# The operator portal works on models owned by other apps (cases, accounts); webhooks and
# attention points arrive with their issues.
