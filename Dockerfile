# One image for every role of a multi-machine deployment (compose.yaml): the migration
# step, the workers and the LangGraph server.
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -c constraints.txt -e '.[postgres]' 'langgraph-cli[inmem]>=0.4'
ENV QUALIFY_HOME=/data
VOLUME /data
ENTRYPOINT ["qualify"]
