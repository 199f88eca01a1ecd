"""The Streamlit dashboard. Reads the event store; imports extract.schema and geodata only."""
