<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ArchitectureView</name>
    <message numerus="yes">
        <source>+ %Ln more client thread(s)</source>
        <translation>
            <numerusform>+ %Ln more client thread</numerusform>
            <numerusform>+ %Ln more client threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>+ %Ln more connection(s)</source>
        <translation>
            <numerusform>+ %Ln more connection</numerusform>
            <numerusform>+ %Ln more connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChannelTexts</name>
    <message numerus="yes">
        <source>%Ln connection(s)</source>
        <translation>
            <numerusform>%Ln connection</numerusform>
            <numerusform>%Ln connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ClientLog</name>
    <message numerus="yes">
        <source>asked for %Ln number(s) in {lo}..{hi}, round trip {latency} µs</source>
        <translation>
            <numerusform>asked for %Ln number in {lo}..{hi}, round trip {latency} µs</numerusform>
            <numerusform>asked for %Ln numbers in {lo}..{hi}, round trip {latency} µs</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message numerus="yes">
        <source>%Ln request(s)</source>
        <translation>
            <numerusform>%Ln request</numerusform>
            <numerusform>%Ln requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{requests} × {count} numbers in {lo}..{hi}, %Ln client thread(s)</source>
        <translation>
            <numerusform>{requests} × {count} numbers in {lo}..{hi}, %Ln client thread</numerusform>
            <numerusform>{requests} × {count} numbers in {lo}..{hi}, %Ln client threads</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerEvents</name>
    <message numerus="yes">
        <source>request #{request_id} from client pid {pid}: %Ln number(s) in {lo}..{hi}</source>
        <translation>
            <numerusform>request #{request_id} from client pid {pid}: %Ln number in {lo}..{hi}</numerusform>
            <numerusform>request #{request_id} from client pid {pid}: %Ln numbers in {lo}..{hi}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>sent %Ln number(s) ({bytes} bytes) to client pid {pid}, served in {service} µs</source>
        <translation>
            <numerusform>sent %Ln number ({bytes} bytes) to client pid {pid}, served in {service} µs</numerusform>
            <numerusform>sent %Ln numbers ({bytes} bytes) to client pid {pid}, served in {service} µs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{requests_per_s} requests/s, {numbers_per_s} numbers/s; served in all: {requests}; %Ln client(s) connected</source>
        <translation>
            <numerusform>{requests_per_s} requests/s, {numbers_per_s} numbers/s; served in all: {requests}; %Ln client connected</numerusform>
            <numerusform>{requests_per_s} requests/s, {numbers_per_s} numbers/s; served in all: {requests}; %Ln clients connected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>stopped after %Ln request(s) ({numbers} numbers)</source>
        <translation>
            <numerusform>stopped after %Ln request ({numbers} numbers)</numerusform>
            <numerusform>stopped after %Ln requests ({numbers} numbers)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerPanel</name>
    <message numerus="yes">
        <source>pid {pid} · up {uptime} · %Ln request(s) served</source>
        <translation>
            <numerusform>pid {pid} · up {uptime} · %Ln request served</numerusform>
            <numerusform>pid {pid} · up {uptime} · %Ln requests served</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln request(s) served</source>
        <translation>
            <numerusform>%Ln request served</numerusform>
            <numerusform>%Ln requests served</numerusform>
        </translation>
    </message>
</context>
</TS>
