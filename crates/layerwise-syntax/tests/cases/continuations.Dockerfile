FROM alpine
RUN apt-get update \
    # a comment inside the continuation
    && apt-get install -y curl \

    && rm -rf /var/lib/apt/lists/*
ENV C trailing\\
ENV D after
RUN echo one \	  
two
RUN echo three \\\
four
RUN echo five
RUN echo six \
