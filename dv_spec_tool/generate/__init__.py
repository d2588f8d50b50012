"""What is generated from the design: scaffold, specs, prompts, change sets,
impact.
"""
